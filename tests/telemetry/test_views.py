"""Traces, events, changes, pods, the map and alerts."""

from __future__ import annotations

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.query import COSTS, run
from tests.telemetry.conftest import played


def test_trace_search_and_span_tree_show_retries_and_timeouts(storm: Simulator) -> None:
    out, cost = run(storm, "traces service=payments status=error --limit=5")
    assert cost == COSTS["traces"]
    assert out["traces"]
    assert all(t["status"] == "error" for t in out["traces"])
    tree, cost = run(storm, f"trace {out['traces'][0]['trace_id']}")
    assert cost == COSTS["trace"]
    spans = tree["spans"]
    calls = [s for s in spans if s["kind"] == "client" and s.get("peer") == "payments"]
    assert len(calls) >= 2, "retries show as repeated client spans"
    assert any(s.get("message") == "deadline exceeded" for s in calls)
    ids = {s["span_id"] for s in spans}
    assert all(s["parent"] is None or s["parent"] in ids for s in spans)
    assert spans[0]["parent"] is None
    assert spans[0]["status"] == "error"


def test_trace_duration_filter(storm: Simulator) -> None:
    out, _ = run(storm, "traces min_duration=2s --limit=5")
    assert out["traces"]
    assert all(t["duration_ms"] >= 2000 for t in out["traces"])


def test_unknown_trace_id_is_explained(storm: Simulator) -> None:
    with pytest.raises(QueryError, match="not sampled"):
        run(storm, "trace 0123456789abcdef0123456789abcdef")


def test_events_changes_pods_and_map(storm: Simulator) -> None:
    ev, _ = run(storm, "events kind=deploy --since=2h")
    assert {e["component"] for e in ev["events"]} >= {"payments"}
    assert all(e["kind"] == "deploy" for e in ev["events"])
    ch, _ = run(storm, "changes")
    assert any(e["time"] < 0 for e in ch["events"]), "changes reach before the window"
    assert {e["kind"] for e in ch["events"]} <= {
        "deploy",
        "flag",
        "config",
        "rollback",
        "mitigation",
        "migration",
    }
    kube, _ = run(storm, "kubectl get events --for=payments --since=2h")
    assert all(e["component"] == "payments" for e in kube["events"])
    pods, cost = run(storm, "kubectl get pods -l app=payments")
    assert cost == COSTS["pods"]
    assert len(pods["pods"]) == 2
    assert all(p["version"] == "v3.2.0" for p in pods["pods"])
    m, _ = run(storm, "map")
    health = {c["name"]: c["health"] for c in m["components"]}
    assert health["payments"] == "failing"
    assert health["catalog"] == "ok"
    assert any(e["from"] == "checkout" and e["to"] == "payments" for e in m["edges"])


def test_pods_mid_rollout_show_both_versions() -> None:
    sim = played(until=1980.0)
    pods, _ = run(sim, "pods payments")
    assert {p["version"] for p in pods["pods"]} == {"v3.1.9", "v3.2.0"}


def test_alerts_page_on_the_symptom_and_warn_on_causes(storm: Simulator) -> None:
    out, cost = run(storm, "alerts")
    assert cost == COSTS["alerts"]
    names = {(a["name"], a["labels"].get("service")) for a in out["firing"]}
    assert ("SLOBurnRatePage", None) in names
    assert ("HighErrorRate", "payments") in names
    assert out["firing"][0]["severity"] == "page"


def test_help_and_catalogue_are_free(storm: Simulator) -> None:
    assert run(storm, "help")[1] == 0
    cat, cost = run(storm, "metrics")
    assert cost == 0
    assert any(m["name"] == "http_requests_total" for m in cat["metrics"])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pods chekout", "did you mean 'checkout'?"),
        ("events colour=red", "unknown filter"),
        ("traces service=paymnts", "did you mean 'payments'?"),
        ("map --sine=5m", "did you mean 'since'?"),
        ("events --since=5x", "--since: '5x' is not a duration"),
        ("kubectl get nodes", "knows 'get pods'"),
        ("", "empty query"),
    ],
)
def test_query_errors(storm: Simulator, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run(storm, query)


def test_session_answers_the_query_form_with_its_cost() -> None:
    from chaosgame.game.session import Session
    from chaosgame.scenario.library import load

    s = Session(load())
    s.reset()
    before = s.now
    out = s.step({"type": "query", "q": 'logs {service="checkout"} |= "timeout"'})
    assert out["ok"]
    assert out["cost_s"] == COSTS["logs"]
    assert s.now == before + COSTS["logs"]
    assert out["result"]["matched"] > 0
    bad = s.step({"type": "query", "q": 'rate(http_requests_total{service="chekout"}[5m])'})
    assert not bad["ok"]
    assert "did you mean 'checkout'?" in bad["error"]
    assert s.now == before + COSTS["logs"], "a bad query costs nothing"
    old = s.step({"type": "query", "view": "map"})
    assert old["ok"], "structured views keep working"
