"""The region-evacuation scenario needs traffic steering: evacuating moves load, and moving it
into a region too small for it makes the outage worse until that region is scaled."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.mitigations import MitigationError
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

NAME = "playback-starts-fail-at-prime-time"
PAGE = 1400.0


def errors(sc: Scenario, actions: list[tuple[float, dict[str, Any]]], at: float) -> float:
    """The journey's error share at ``at`` after the actions, asked for at their times."""
    sim = Simulator(sc)
    for when, spec in actions:
        sim.run_until(when)
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(at + sim.dt)
    h = sim.history
    return float(h.journey["errors"][int(at / sim.dt)].mean())


def test_evacuating_first_is_worse_and_scaling_first_then_draining_recovers() -> None:
    sc = load(NAME)
    late = PAGE + 900.0
    nothing = errors(sc, [], late)
    evacuate = [(PAGE, {"action": "failover-region", "target": "north", "to": "south"})]
    reference = [
        (PAGE, {"action": "scale", "target": "playback-south", "replicas": 10}),
        (PAGE + 180.0, {"action": "drain", "target": "north"}),
    ]
    assert nothing > 0.3
    assert errors(sc, evacuate, late) > nothing + 0.15  # the survivor saturates
    assert errors(sc, reference, late) < 0.005


def test_without_balance_groups_there_is_nothing_to_drain() -> None:
    """The mechanism decides the outcome: with the front door's calls not balanced between
    the regions, the reference's drain has nothing to move."""
    sc = load(NAME)
    deps = [
        d.model_copy(update={"balance": None, "weight": 1.0}) if d.balance else d
        for d in sc.dependencies
    ]
    plain = sc.model_copy(update={"dependencies": deps})
    sim = Simulator(plain)
    with pytest.raises(MitigationError, match="no balance group has members"):
        sim.mitigate(mitigation_adapter().validate_python({"action": "drain", "target": "north"}))
