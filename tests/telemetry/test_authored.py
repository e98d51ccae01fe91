"""Log lines and metrics an author writes: filled, counted, seeded, and behind the same gaps."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.query import run
from tests.conftest import make_scenario

REFUND = {
    "component": "api",
    "text": "refund {id} failed: ledger timeout after {n} tries",
    "values": {"id": {"prefix": "rf-", "hex": 6, "count": 50}, "n": {"low": 3, "high": 5}},
    "rate": 2.0,
}
LINE = re.compile(r"refund rf-[0-9a-f]{6} failed: ledger timeout after [345] tries")


def _sim(until: float = 1200.0, seed: int | None = None, **overrides: Any) -> Simulator:
    sim = Simulator(make_scenario(**overrides), seed)
    sim.run_until(until)
    return sim


def _lines(sim: Simulator, q: str) -> dict[str, Any]:
    res, _ = run(sim, q)
    return res


def test_authored_lines_are_filled_counted_at_their_rate_and_searchable() -> None:
    sim = _sim(evidence={"logs": [REFUND]})
    res = _lines(sim, 'logs {service="api"} |= "ledger timeout" --since=10m --limit=100')
    assert res["matched"] == 2 * 600  # 2 lines a second for 10 minutes
    assert all(LINE.search(r["line"]) for r in res["lines"])
    assert {r["level"] for r in res["lines"]} == {"error"}
    ids = {re.search(r"rf-\w+", r["line"]).group() for r in res["lines"]}  # type: ignore[union-attr]
    assert 10 < len(ids) <= 50  # drawn from a pool of 50
    # filters reach inside the placeholders, decided from their pools
    three = _lines(sim, 'logs {service="api"} |= "after 3 tries" --since=10m')["matched"]
    regex = _lines(sim, 'logs {service="api"} |~ "after [3] tries" --since=10m')["matched"]
    assert three == regex
    assert 250 < three < 550
    assert _lines(sim, '{service="api", level="warn"} |= "refund" --since=10m')["matched"] == 0


def test_authored_lines_are_the_same_for_a_seed_and_differ_for_another() -> None:
    q = 'logs {service="api"} |= "refund" --since=5m --limit=20'
    a = [r["line"] for r in _lines(_sim(evidence={"logs": [REFUND]}), q)["lines"]]
    b = [r["line"] for r in _lines(_sim(evidence={"logs": [REFUND]}), q)["lines"]]
    c = [r["line"] for r in _lines(_sim(seed=99, evidence={"logs": [REFUND]}), q)["lines"]]
    assert a == b
    assert a != c


def test_authored_lines_obey_the_log_gaps() -> None:
    q = 'logs {service="api"} |= "refund" --since=10m'
    comps = make_scenario().model_dump(by_alias=True)["components"]

    def with_telemetry(**t: Any) -> list[dict[str, Any]]:
        return [
            {**c, "telemetry": {**c["telemetry"], **t}} if c["name"] == "api" else c for c in comps
        ]

    off = _sim(components=with_telemetry(logs=False), evidence={"logs": [REFUND]})
    assert _lines(off, q)["matched"] == 0
    sampled = _sim(components=with_telemetry(log_sampling=0.25), evidence={"logs": [REFUND]})
    assert 250 < _lines(sampled, q)["matched"] < 350
    kept = _sim(components=with_telemetry(retention=300.0), evidence={"logs": [REFUND]})
    assert _lines(kept, q)["matched"] == 2 * 300


def test_per_request_per_error_and_fault_windows() -> None:
    fault = {"kind": "bad-config", "target": "api", "at": 600.0, "until": 900.0, "error_rate": 0.5}
    lines = [
        {**REFUND, "rate": 0.0, "per_error": 1.0, "text": "charge {id} declined", "values": {"id": {"digits": 4}}},
        {**REFUND, "text": "ledger lag {n}", "values": {"n": {"low": 1, "high": 2}}, "rate": 1.0,
         "when": {"fault": "bad-config"}},
        {**REFUND, "text": "warming {n}", "values": {"n": {"low": 1, "high": 2}}, "rate": 1.0,
         "when": {"after": 300.0, "before": 400.0}},
    ]  # fmt: skip
    sim = _sim(until=1500.0, faults=[fault], evidence={"logs": lines})
    declined = _lines(sim, 'logs {service="api"} |= "declined" --since=25m')["matched"]
    failed = sim.history.comp["offered"][:150, 1] * sim.history.comp["errors"][:150, 1]
    assert declined == pytest.approx(float(failed.sum()) * sim.dt, rel=0.05, abs=20)
    assert declined > 1000
    lag = _lines(sim, 'logs {service="api"} |= "ledger lag" --since=25m')
    assert lag["matched"] == 300  # while the fault acts: 600s to 900s
    assert all(600 <= r["time"] < 900 for r in lag["lines"])
    assert _lines(sim, 'logs {service="api"} |= "warming" --since=25m')["matched"] == 100


METRICS = [
    {"name": "shop_orders_per_minute", "component": "api", "journey": "shop", "per": "minute"},
    {"name": "restart_progress", "component": "api", "ready_share": "db"},
    {
        "name": "tickets_open",
        "component": "api",
        "points": [{"at": 0.0, "value": 10.0}, {"at": 1000.0, "value": 110.0}],
        "labels": {"queue": "support"},
    },
    {"name": "orders_total", "component": "api", "journey": "shop", "type": "counter"},
]


def _last(sim: Simulator, q: str) -> float:
    res, _ = run(sim, q)
    (series,) = res["series"]
    return float(series["points"][-1][1])


def test_custom_metrics_are_queried_like_any_metric() -> None:
    sim = _sim(until=600.0, evidence={"metrics": METRICS})
    # points: 10 at 0s, 110 at 1000s, linear: 60 at 500s (the last scrape before 600s is 570s)
    assert _last(sim, "tickets_open --since=100s") == pytest.approx(10 + 100 * 570 / 1000)
    res, _ = run(sim, 'tickets_open{queue="support"}')
    assert res["series"][0]["labels"] == {
        "__name__": "tickets_open",
        "queue": "support",
        "service": "api",
        "region": "default",
    }
    j = sim.history.journey
    tick = 57  # 570 s
    ok = float(j["rate"][tick].sum() * (1 - j["errors"][tick][0]))
    assert _last(sim, "shop_orders_per_minute") == pytest.approx(60 * ok, rel=1e-5)
    assert 2000 < _last(sim, "shop_orders_per_minute") < 2800  # 40 requests a second
    assert _last(sim, "restart_progress") == 1.0
    rate = _last(sim, "rate(orders_total[5m])")
    assert rate == pytest.approx(40.0, rel=0.1)
    names = [m["name"] for m in run(sim, "metrics")[0]["metrics"]]
    assert names[-4:] == [m["name"] for m in METRICS]
    with pytest.raises(ValueError, match="did you mean 'tickets_open'"):
        run(sim, "tickets_opn")


def test_a_backlog_grows_with_failed_requests_and_drains() -> None:
    fault = {"kind": "bad-config", "target": "api", "at": 300.0, "until": 600.0, "error_rate": 0.5}
    m = {
        "name": "tickets",
        "component": "api",
        "backlog": {"journey": "shop", "per_failure": 0.01, "drain": 360.0, "start": 5.0},
    }
    sim = _sim(until=1200.0, faults=[fault], evidence={"metrics": [m]})
    from chaosgame.telemetry.authored import metric_values

    spec = sim.scenario.evidence.metrics[0]
    values = metric_values(sim, spec, 120)
    j = sim.history.journey
    failed = (j["rate"][:120] * j["errors"][:120]).sum(1)
    x, want = 5.0, []
    for t in range(120):
        x = max(0.0, x + failed[t] * 0.01 * 10 - 1.0)  # 360 an hour = 1 per 10 s tick
        want.append(x)
    assert np.allclose(values, want)
    assert values[29] == 0.0  # drained before the fault
    # 40 a second, half failing: +4 tickets a tick, less 1 drained: about 30 after 30 ticks
    assert values[59] == pytest.approx(30.0, rel=0.15)
    assert values[-1] < values[59]  # drains after


def test_custom_metrics_obey_the_metrics_gaps() -> None:
    comps = make_scenario().model_dump(by_alias=True)["components"]
    dark = [
        {**c, "telemetry": {**c["telemetry"], "metrics": False}} if c["name"] == "api" else c
        for c in comps
    ]
    sim = _sim(until=600.0, components=dark, evidence={"metrics": METRICS})
    res, _ = run(sim, "tickets_open")
    assert res["series"] == []
    slow = [
        {**c, "telemetry": {**c["telemetry"], "scrape_interval": 120.0}}
        if c["name"] == "api"
        else c
        for c in comps
    ]
    sim = _sim(until=600.0, components=slow, evidence={"metrics": METRICS})
    res, _ = run(sim, "tickets_open --since=10m")
    for t, v in res["series"][0]["points"]:  # each point holds the last scrape's value
        assert v == pytest.approx(10 + 100 * (t // 120 * 120) / 1000)


def test_dashboards_chart_custom_metrics_with_their_gaps() -> None:
    from chaosgame.game.session import Session

    metrics = [
        {"name": "shop_orders_per_minute", "component": "api", "journey": "shop", "per": "minute"}
    ]
    s = Session(make_scenario(evidence={"metrics": metrics}))
    s.reset()
    out = s.step(
        {"type": "query", "view": "metric", "component": "api", "metric": "shop_orders_per_minute"}
    )
    assert out["ok"], out
    points = out["result"]["points"]
    assert points
    assert all(2000 < v < 2800 for _, v in points)  # 40 requests a second, as orders a minute
    wrong = s.step(
        {"type": "query", "view": "metric", "component": "db", "metric": "shop_orders_per_minute"}
    )
    assert not wrong["ok"]
    comps = make_scenario().model_dump(by_alias=True)["components"]
    dark = [
        {**c, "telemetry": {**c["telemetry"], "metrics": False}} if c["name"] == "api" else c
        for c in comps
    ]
    s = Session(make_scenario(components=dark, evidence={"metrics": metrics}))
    s.reset()
    out = s.step(
        {"type": "query", "view": "metric", "component": "api", "metric": "shop_orders_per_minute"}
    )
    assert out["result"]["points"] == []
