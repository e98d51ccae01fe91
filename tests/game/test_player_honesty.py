"""The session shows what the monitoring system knows, never what the engine knows.

Each observability gap hides the numbers it should hide from every view of the session: the
service map and its health, the SLO gauges, the alerts and the page itself.
"""

from __future__ import annotations

from typing import Any

from chaosgame.game.session import PAGE_GRACE, Session
from chaosgame.scenario import library
from chaosgame.scenario.model import Scenario


def _variant(change: dict[str, dict[str, Any]]) -> Scenario:
    """checkout-payment-step-failing with some components changed (by name)."""
    sc = library.load("checkout-payment-step-failing")
    comps = []
    for c in sc.components:
        upd = change.get(c.name)
        if upd is None:
            comps.append(c)
            continue
        if "telemetry" in upd:
            upd = {**upd, "telemetry": c.telemetry.model_copy(update=upd["telemetry"])}
        comps.append(c.model_copy(update=upd))
    return sc.model_copy(update={"components": comps})


def _started(sc: Scenario) -> tuple[Session, dict[str, Any]]:
    s = Session(sc)
    return s, s.reset()


def _map(s: Session) -> dict[str, dict[str, Any]]:
    out = s.step({"type": "query", "view": "map"})
    assert out["ok"], out
    return {c["name"]: c for c in out["result"]["components"]}


def test_a_dark_pager_does_not_page() -> None:
    lit, seen = _started(_variant({}))
    assert seen["alerts"], "with the pager up the SLO page reaches the player"
    dark, unseen = _started(_variant({"pager": {"replicas": 0}}))
    assert unseen["alerts"] == []
    sc = dark.scenario
    assert dark.start_time > lit.start_time
    assert dark.start_time == min(sc.onset + PAGE_GRACE, sc.duration - sc.time_limit)


def test_an_uninstrumented_database_shows_no_numbers() -> None:
    s, _ = _started(_variant({"payments-db": {"telemetry": {"metrics": False}}}))
    rows = _map(s)
    assert rows["payments-db"]["rps"] is None
    assert rows["payments-db"]["errors"] is None
    assert rows["payments"]["rps"] is not None
    out = s.step({"type": "query", "view": "metric", "component": "payments-db"})
    assert out["result"]["points"] == []
    assert "exports no metrics" in out["result"]["note"]


def test_a_dark_metrics_store_shows_no_figures() -> None:
    s, obs = _started(_variant({"metrics": {"replicas": 0}}))
    assert all(row["sli_5m"] is None and row["burn_5m"] is None for row in obs["slos"])
    assert all(row.get("note") for row in obs["slos"])
    assert obs["alerts"] == [], "no metrics, no burn-rate alert"
    rows = _map(s)
    assert {r["health"] for r in rows.values()} <= {"unknown", "failing"}
    assert all(r["rps"] is None for r in rows.values())
    slo = s.step({"type": "query", "view": "slo"})["result"]["slos"]
    assert all(row["burn_1h"] is None for row in slo)


def test_an_unmeasured_front_has_no_slo_figures() -> None:
    _, obs = _started(_variant({"edge": {"telemetry": {"metrics": False}}}))
    for row in obs["slos"]:
        assert row["sli_5m"] is None
        assert row["budget_burned"] is None
        assert "edge exports no metrics" in row["note"]


def test_the_paging_shortcut_agrees_with_the_alert_timeline() -> None:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry import slos

    for sc, delivered in ((_variant({}), True), (_variant({"pager": {"replicas": 0}}), False)):
        sim = Simulator(sc)
        sim.run_until(sc.onset)
        fired = 0
        for _ in range(120):
            sim.step()
            tick = sim.history.ticks
            assert slos.paged(sim, tick) == bool(slos.pages(sim, tick))
            fired += slos.paged(sim, tick)
        assert bool(fired) == delivered
