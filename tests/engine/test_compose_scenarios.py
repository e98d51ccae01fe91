"""The two curated scenarios built on composed faults behave as their debriefs say."""

from __future__ import annotations

from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario

PAGE = 1800.0


def _run(name: str, actions: list[dict[str, Any]], until: float = 3000.0) -> Simulator:
    """Play ``actions`` from the page on, each once the one before it has taken effect and
    (a rollback) has replaced every pod."""
    sim = Simulator(load_scenario(find(name)))
    sim.run_until(PAGE)
    for a in actions:
        sim.run_until(sim.mitigate(mitigation_adapter().validate_python(a)))
        i = sim.world.index[a["target"]]
        while sim.state.versions[i].rollout is not None:
            sim.run_until(sim.now + sim.dt)
    sim.run_until(until)
    return sim


def _errors(sim: Simulator, component: str) -> float:
    return float(sim.err[:, sim.world.index[component]].mean())


def test_the_mesh_change_breaks_payouts_and_a_restart_spreads_it() -> None:
    name = "payouts-cannot-reach-ledger"
    nothing = _errors(_run(name, []), "payouts")
    restarted = _errors(_run(name, [{"action": "restart", "target": "payouts"}]), "payouts")
    ledger = _errors(_run(name, [{"action": "restart", "target": "ledger"}]), "payouts")
    reverted = _errors(
        _run(name, [{"action": "revert-config", "target": "mesh-control"}]), "payouts"
    )
    assert 0.5 < nothing < 0.95
    assert restarted > nothing + 0.1  # the tempting fix is an aggravator
    assert ledger > nothing + 0.1
    assert reverted == 0.0


def test_the_bad_bundle_needs_a_rollback_and_each_edge_restarted() -> None:
    name = "edge-regions-keep-crashing"
    rollback = {"action": "rollback", "target": "rules-agent"}
    eu, us = ({"action": "restart", "target": f"edge-{r}"} for r in ("eu", "us"))

    def failing(actions: list[dict[str, Any]]) -> list[bool]:
        sim = _run(name, actions)
        return [_errors(sim, c) > 0.5 for c in ("edge-eu", "edge-us")]

    assert failing([]) == [True, True]
    assert failing([rollback]) == [True, True]  # the cause is gone, the damage stays
    assert failing([eu, us]) == [True, True]  # recovered, then damaged again by the release
    assert failing([rollback, eu]) == [False, True]  # each edge recovers on its own
    assert failing([rollback, eu, us]) == [False, False]


def test_removing_the_cause_and_recovering_are_separate_events() -> None:
    sim = _run(
        "edge-regions-keep-crashing",
        [
            {"action": "rollback", "target": "rules-agent"},
            {"action": "restart", "target": "edge-eu"},
        ],
    )
    done = [(e.component, e.message.split(":")[0]) for e in sim.events if e.kind == "mitigation"]
    assert ("rules-agent", "rollback") in done
    assert ("edge-eu", "restart") in done
    damaged = {e.component for e in sim.events if e.kind == "probe"}
    assert damaged == {"edge-eu", "edge-us"}
