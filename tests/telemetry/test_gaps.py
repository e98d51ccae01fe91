"""Every gap knob: instrumentation, sampling, retention, scrapes, skew, averages, noise, and
observability pipelines that go dark."""

from __future__ import annotations

from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach
from tests.conftest import make_scenario


def world(
    api: dict[str, Any] | None = None,
    db: dict[str, Any] | None = None,
    extra: list[dict[str, Any]] | None = None,
    seed: int = 3,
    until: float = 1800.0,
    gw: dict[str, Any] | None = None,
) -> Simulator:
    """gw -> api -> db, where db is too small for api's calls and drops some (real errors)."""
    comps = [
        {
            "name": "gw",
            "kind": "gateway",
            "replicas": 2,
            "capacity": 500.0,
            "service_time": 0.002,
            "telemetry": gw or {},
        },
        {
            "name": "api",
            "kind": "service",
            "replicas": 2,
            "capacity": 30.0,
            "service_time": 0.02,
            "telemetry": api or {},
        },
        {
            "name": "db",
            "kind": "database",
            "replicas": 1,
            "capacity": 30.0,
            "service_time": 0.02,
            "telemetry": db or {},
        },
        *(extra or []),
    ]
    sc = make_scenario(components=comps, seed=seed)
    sim = Simulator(sc)
    attach(sim)
    sim.run_until(until)
    return sim


def series(sim: Simulator, q: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = run(sim, q)[0]["series"]
    return out


def test_baseline_has_every_signal() -> None:
    sim = world()
    assert series(sim, 'rate(http_requests_total{service="db"}[1m])')
    assert run(sim, '{service="db"} --since=10m')[0]["matched"] > 0
    assert run(sim, '{service="api"} |= "db" --since=10m')[0]["matched"] > 0


def test_uninstrumented_component_shows_only_through_its_callers() -> None:
    sim = world(db={"metrics": False, "logs": False, "traces": False})
    assert not series(sim, 'rate(http_requests_total{service="db"}[1m])')
    client = series(sim, 'rate(client_errors_total{service="api",target="db"}[1m])')
    assert client
    assert client[0]["points"][-1][1] > 0
    own = run(sim, '{service="db"} --since=10m')[0]
    assert own["matched"] == 0
    assert any("db" in n for n in own["notes"])
    callers = run(sim, '{service="api"} |= "db" --since=10m')[0]
    assert callers["matched"] > 0
    traces = run(sim, "traces --limit=10")[0]["traces"]
    assert traces
    for t in traces:
        tree = run(sim, f"trace {t['trace_id']}")[0]["spans"]
        assert all(s["service"] != "db" for s in tree)
    trees = [run(sim, f"trace {t['trace_id']}")[0]["spans"] for t in traces]
    assert any(s.get("peer") == "db" for spans in trees for s in spans)
    errors = run(sim, "traces status=error --limit=20")[0]["traces"]
    assert any("db" in (t["first_error"] or "") for t in errors)


def test_trace_sampling_is_decided_at_the_root() -> None:
    every = len(
        run(world(gw={"trace_sampling": 1.0}), "traces --since=10s --limit=500")[0]["traces"]
    )
    some = len(
        run(world(gw={"trace_sampling": 0.1}), "traces --since=10s --limit=500")[0]["traces"]
    )
    none = run(world(gw={"trace_sampling": 0.0}), "traces --since=10s --limit=500")[0]["traces"]
    assert every > 300  # 40 requests a second for 10 seconds
    assert 0.05 * every < some < 0.2 * every
    assert not none


def test_log_sampling_keeps_that_share() -> None:
    full = run(world(), '{service="api"} --since=10m')[0]["matched"]
    tenth = run(world(api={"log_sampling": 0.1}), '{service="api"} --since=10m')[0]["matched"]
    assert 0.08 * full < tenth < 0.12 * full


def test_retention_drops_old_data() -> None:
    sim = world(api={"retention": 600.0})
    pts = series(sim, 'avg_over_time(cpu_usage_ratio{service="api"}[1m]) --since=30m')[0]["points"]
    assert pts[0][0] >= sim.now - 600 - 60
    recent = run(sim, '{service="api"} --since=10m')[0]["matched"]
    all_time = run(sim, '{service="api"} --since=30m')[0]["matched"]
    assert recent == all_time


def test_scrape_interval_spaces_the_samples() -> None:
    sim = world(api={"scrape_interval": 60.0})
    pts = series(sim, 'cpu_usage_ratio{service="api"} --since=10m --step=10s')[0]["points"]
    values = [v for _, v in pts]
    changes = sum(1 for a, b in zip(values, values[1:], strict=False) if a != b)
    assert changes <= len(values) / 6 + 1
    assert not series(sim, 'rate(http_requests_total{service="api"}[30s])')


def test_clock_skew_shifts_that_hosts_log_timestamps() -> None:
    q = '{service="api"} --since=20s --limit=3'
    plain = run(world(), q)[0]["lines"]
    skewed = run(world(api={"clock_skew": 120.0}), q)[0]["lines"]
    assert [x["time"] for x in plain] == [x["time"] for x in skewed]
    assert plain[0]["line"][11:19] != skewed[0]["line"][11:19]
    h0, m0 = int(plain[0]["line"][11:13]), int(plain[0]["line"][14:16])
    h1, m1 = int(skewed[0]["line"][11:13]), int(skewed[0]["line"][14:16])
    assert (h1 * 60 + m1) - (h0 * 60 + m0) == 2


def test_dashboard_averages_only_hides_the_tail() -> None:
    sim = world(api={"dashboard_averages_only": True})
    assert not series(sim, 'http_request_duration_seconds{service="api"}')
    assert not series(sim, 'http_request_duration_seconds_bucket{service="api"}')
    assert series(sim, 'rate(http_request_duration_seconds_sum{service="api"}[1m])')


def test_noisy_alerts_fire_on_hair_triggers() -> None:
    quiet = run(world(), "alerts --since=30m")[0]
    noisy = run(world(api={"noisy_alerts": True}), "alerts --since=30m")[0]

    def names(r: dict[str, Any]) -> set[tuple[str, str]]:
        return {(a["name"], a["labels"].get("service", "")) for a in r["firing"] + r["resolved"]}

    assert ("Saturated", "api") not in names(quiet)
    assert ("Saturated", "api") in names(noisy)


def test_dark_pipelines_lose_their_data() -> None:
    dark = [
        {"name": "prom", "kind": "metrics_store", "replicas": 0},
        {"name": "loki", "kind": "log_pipeline", "replicas": 0},
        {"name": "jaeger", "kind": "trace_collector", "replicas": 0},
        {"name": "pager", "kind": "pager", "replicas": 0},
    ]
    sim = world(extra=dark)
    assert not series(sim, 'rate(http_requests_total{service="api"}[1m])')
    logs = run(sim, '{service="api"} --since=10m')[0]
    assert logs["matched"] == 0
    assert any("pipeline" in n for n in logs["notes"])
    assert not run(sim, "traces --limit=5")[0]["traces"]
    assert any("pager" in n for n in run(sim, "alerts")[0]["notes"])
    up = world(extra=[{**d, "replicas": 1} for d in dark])
    assert series(up, 'rate(http_requests_total{service="api"}[1m])')
