"""The fast metric path gives what the straightforward evaluation gives.

``tests/telemetry/ref_series.py`` and ``ref_eval.py`` keep the first release's evaluator: every
series at every tick, a dict of labels per series. The fast path reads the history only at the
ticks a query needs and keeps labels in columns. Over small fleets with every gap (scrape
intervals, metrics off, retention, a metrics store outage, averages-only dashboards), a
rollout, tenants and a generated fleet, both must give the same series, labels, times, gaps
and values (to floating-point noise), and the same errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet
from chaosgame.scenario.library import load
from chaosgame.telemetry import gaps, metrics_query
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.metrics import CATALOGUE
from chaosgame.telemetry.promeval import Ctx, evaluate
from chaosgame.telemetry.promql import parse
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach
from tests.conftest import make_scenario
from tests.telemetry import ref_eval, ref_series
from tests.telemetry.conftest import played


def gappy() -> Simulator:
    """gw (retention 15m) -> api (scraped each minute) -> db (no metrics); gw -> search
    (averages-only dashboard, scraped every 20 s); a metrics store that is down for a while."""
    comps = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0,
         "service_time": 0.002, "telemetry": {"retention": 900.0}},
        {"name": "api", "kind": "service", "replicas": 2, "capacity": 30.0,
         "service_time": 0.02, "telemetry": {"scrape_interval": 60.0}},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 30.0,
         "service_time": 0.02, "telemetry": {"metrics": False}},
        {"name": "search", "kind": "service", "replicas": 2, "capacity": 100.0,
         "service_time": 0.01,
         "telemetry": {"dashboard_averages_only": True, "scrape_interval": 20.0}},
        {"name": "prom", "kind": "metrics_store", "replicas": 1},
    ]  # fmt: skip
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "timeout": 0.5},
        {"from": "gw", "to": "search", "timeout": 1.0},
    ]
    journeys = [
        {"name": "shop", "entry": "api", "via": "gw", "rate": 40.0},
        {"name": "find", "entry": "search", "via": "gw", "rate": 20.0},
    ]
    sc = make_scenario(components=comps, dependencies=deps, journeys=journeys, seed=5)
    sim = Simulator(sc)
    attach(sim)
    sim.run_until(2400.0)
    # the metrics store had no ready replica from minute 20 to minute 25 (written into the
    # history as the simulator would record it, so both evaluators see the same outage)
    prom = sim.world.index["prom"]
    sim.history.comp["replicas"][120:150, prom] = 0.0
    return sim


SIMS = {
    "gaps": gappy,
    "rollout": lambda: played(until=1980.0),  # payments mid-rollout: two versions
    "storm": played,
    "tenants": lambda: _loaded("invoices-tenant-slow-burn", 2400.0),
    "fleet": lambda: _fleet(40, 3600.0),
}


def _loaded(name: str, until: float) -> Simulator:
    sim = Simulator(load(name))
    attach(sim)
    sim.run_until(until)
    return sim


def _fleet(size: int, until: float) -> Simulator:
    sim = Simulator(fleet(size, seed=2))
    attach(sim)
    sim.run_until(until)
    return sim


@pytest.fixture(scope="module", params=list(SIMS))
def sim(request: pytest.FixtureRequest) -> Simulator:
    return SIMS[request.param]()


QUERIES = [
    # selectors, regex matchers, offsets, gauges and counters read raw
    "http_requests_total",
    'http_requests_total{code=~"5..",endpoint!~"x.*"} --since=40m',
    "cpu_usage_ratio --since=2h --step=1m",
    'cpu_usage_ratio{service=~".*a.*"} offset 5m --since=30m --until=5m',
    'promql {__name__=~"cpu_.*|up|kube_.*"}',
    "memory_working_set_bytes - memory_limit_bytes",
    # rate over several ranges, irate, increase
    'sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) --since=2h',
    "rate(http_requests_total[30s]) --since=20m --step=30s",
    "irate(http_requests_total[2m]) --since=20m",
    "increase(client_requests_total[10m] offset 3m) --since=1h",
    "sum by (version) (rate(http_requests_total[1m])) --since=15m --step=10s",
    "rate(kube_pod_container_status_restarts_total[15m])",
    # aggregations by and without labels, topk, count, arithmetic between vectors
    "avg by (endpoint, region) (rate(http_requests_total[5m]))",
    "max without (code, version) (rate(http_requests_total[5m])) --since=1h",
    "min(cpu_usage_ratio)",
    "count by (code) (http_requests_total)",
    "topk(2, rate(http_requests_total[5m]))",
    "bottomk(1, cpu_usage_ratio)",
    'sum by (service) (rate(http_requests_total{code="500"}[5m])) / '
    "sum by (service) (rate(http_requests_total[5m]))",
    "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])",
    "cpu_usage_ratio > 0.1",
    "2 * up + 1",
    "clamp_max(saturation_ratio, 0.5)",
    # histograms and percentiles
    "histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[1m])) --since=1h",
    'http_request_duration_seconds{quantile="0.99"}',
    # range functions over gauges
    "avg_over_time(cpu_usage_ratio[10m]) --since=1h",
    "sum_over_time(up[5m])",
    "count_over_time(request_queue_depth[3m]) --since=2h --step=2m",
    "max_over_time(client_pool_wait_ratio[4m])",
    "min_over_time(cpu_usage_ratio[1m] offset 1m)",
    "last_over_time(db_connections_in_use[2m])",
    "quantile_over_time(0.9, cpu_usage_ratio[5m]) --since=30m",
    "avg_over_time(http_requests_total[5m])",
]


@pytest.fixture
def unrounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare values before the display rounding to six significant digits."""
    monkeypatch.setattr(metrics_query, "_round", lambda v: v)
    monkeypatch.setattr(ref_eval, "_round", lambda v: v)


def same_result(fast: dict[str, Any], ref: dict[str, Any]) -> None:
    assert fast.get("step_s") == ref.get("step_s")
    assert fast["notes"] == ref["notes"]
    assert [s["labels"] for s in fast["series"]] == [s["labels"] for s in ref["series"]]
    for a, b in zip(fast["series"], ref["series"], strict=True):
        assert [t for t, _ in a["points"]] == [t for t, _ in b["points"]], a["labels"]
        va = np.array([v for _, v in a["points"]])
        vb = np.array([v for _, v in b["points"]])
        scale = float(np.max(np.abs(vb[np.isfinite(vb)]), initial=1.0))
        np.testing.assert_allclose(va, vb, rtol=1e-9, atol=1e-9 * scale, err_msg=str(a["labels"]))


@pytest.mark.usefixtures("unrounded")
@pytest.mark.parametrize("query", QUERIES)
def test_query_matches_the_reference(sim: Simulator, query: str) -> None:
    fast, _ = run(sim, query)
    same_result(fast, ref_eval.reference_run(sim, query.removeprefix("promql ")))


@pytest.mark.parametrize(
    "expr",
    [
        'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))',
        "rate(http_requests_total[1m] offset 2m)",
        "irate(client_errors_total[3m])",
        "max_over_time(cpu_usage_ratio[2m])",
        "avg_over_time(http_requests_total[4m] offset 30s)",
        "http_requests_total",
        'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{service=~".+"}[5m])))',
    ],
)
def test_every_tick_and_any_ticks_match_the_reference(sim: Simulator, expr: str) -> None:
    """Evaluated at every tick, and at scattered ticks, exactly where the reference has values."""
    hi = sim.history.ticks
    node = parse(expr)
    ref = ref_eval.evaluate(ref_eval.Ctx(sim, hi, sim.now, expr), node)
    ref_labels = ref.labels if ref.labels is not None else [{}]
    for steps in (None, np.array([0, 1, 7, 8, 30, hi // 2, hi - 2, hi - 1], dtype=np.int64)):
        fast = evaluate(Ctx(sim, hi, sim.now, expr, steps), node)
        ticks = np.arange(hi) if steps is None else steps
        assert fast.labels is not None
        assert fast.labels.dicts() == ref_labels
        want = ref.values[:, ticks]
        assert np.array_equal(np.isnan(fast.values), np.isnan(want))
        scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=1.0))
        np.testing.assert_allclose(fast.values, want, rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize(
    "query",
    [
        'rate(http_requests_total{service="chekout"}[5m])',
        "rate(http_requests_totl[5m])",
        "rate(cpu_usage_ratio[5m])",
        "irate(up[1m])",
        "increase(memory_working_set_bytes[1m])",
        "cpu_usage_ratio[5m]",
        "sum(5)",
        "histogram_quantile(0.9, rate(http_requests_total[5m]))",
        "topk(cpu_usage_ratio, up)",
    ],
)
def test_errors_match_the_reference(query: str) -> None:
    sim = played(until=600.0)
    with pytest.raises(QueryError) as fast:
        run(sim, query)
    with pytest.raises(QueryError) as ref:
        ref_eval.reference_run(sim, query)
    assert (fast.value.message, fast.value.position) == (ref.value.message, ref.value.position)


def test_the_gaps_are_really_there() -> None:
    """The gap fleet exercises what it claims: scrape steps, no metrics, retention, outage."""
    sim = gappy()
    idx = sim.world.index
    assert [gaps.scrape_step(sim, idx[n]) for n in ("gw", "api", "search")] == [3, 6, 2]
    assert not gaps.has(sim, idx["db"], "metrics")
    assert gaps.first_kept(sim, idx["gw"], sim.now) > 0
    dark = gaps.dark(sim, "metrics", 0, sim.history.ticks)
    assert 0 < dark.sum() < len(dark)
    out, _ = run(sim, 'rate(http_requests_total{service="search"}[1m]) --since=40m')
    times = [t for t, _ in out["series"][0]["points"]]
    assert min(times) < 1200
    assert max(times) > 1500
    assert not [t for t in times if 1230 <= t < 1500]


def test_the_reference_knows_every_metric() -> None:
    assert list(ref_series.CATALOGUE) == list(CATALOGUE)


def test_identical_inputs_give_identical_output() -> None:
    q = 'sum by (service, version) (rate(http_requests_total{code=~"5.."}[5m])) --since=1h'
    one, two = played(until=1980.0), played(until=1980.0)
    assert run(one, q) == run(two, q) == run(one, q)


def test_a_number_where_a_vector_goes_is_a_number() -> None:
    """``abs(5)`` is the scalar 5 at every step (the first release failed on it)."""
    out, _ = run(played(until=600.0), "abs(-5) --since=5m")
    assert [s["labels"] for s in out["series"]] == [{}]
    assert {v for _, v in out["series"][0]["points"]} == {5.0}
