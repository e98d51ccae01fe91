"""Grading by outcome: what the system did, never which command was typed."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.grading import SYMPTOM_HIDING, Outcome, evaluate, is_symptom_hiding
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from tests.engine.fleet import fleet

PAGE = 300.0
PLAYER_END = 900.0
SETTLE = 600.0
CANARY = [
    {"at": -86400.0, "component": "api", "version": "v1"},
    {"at": 60.0, "component": "api", "version": "v2", "strategy": "canary", "weight": 0.3},
]
BAD = {"kind": "bad-deploy", "target": "api", "at": 60.0, "version": "v2", "error_rate": 0.8}


def graded(actions: list[dict[str, Any]], faults: list[dict[str, Any]] | None = None,
           **scenario: Any) -> Outcome:  # fmt: skip
    sim = Simulator(fleet(deploys=CANARY, faults=[BAD] if faults is None else faults, **scenario))
    sim.run_until(PAGE)
    for spec in actions:
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(PLAYER_END + SETTLE)
    return evaluate(sim, PAGE, SETTLE)


def test_doing_nothing_is_not_a_fix() -> None:
    out = graded([])
    assert not out.recovered
    assert not out.fixed
    assert out.reasons


@pytest.mark.parametrize(
    "action",
    [
        {"action": "rollback", "target": "api"},
        {"action": "shift-traffic", "target": "api", "weight": 0.0},
    ],
)
def test_equivalent_safe_repairs_both_count(action: dict[str, Any]) -> None:
    out = graded([action])
    assert out.fixed, out.reasons


def test_a_fix_that_does_not_last_is_not_held() -> None:
    later = {**BAD, "at": PLAYER_END + 120.0, "version": "v1", "error_rate": 0.5}
    out = graded([{"action": "rollback", "target": "api"}], faults=[BAD, later])
    assert out.recovered
    assert not out.held
    assert not out.fixed


@pytest.mark.parametrize(
    ("action", "invariant_broken"),
    [
        ({"action": "silence-alert", "target": "api"}, False),
        ({"action": "shed-load", "target": "gw", "fraction": 1.0}, True),
        ({"action": "scale", "target": "api", "replicas": 0}, True),
    ],
)
def test_symptom_hiding_never_counts(action: dict[str, Any], invariant_broken: bool) -> None:
    out = graded([{"action": "rollback", "target": "api"}, action])
    assert out.symptom_hiding
    assert not out.fixed
    assert out.invariants_ok is not invariant_broken


def test_lost_writes_break_the_invariants() -> None:
    lag = {"kind": "replication-lag", "target": "replica", "at": 0.0, "until": PAGE}
    out = graded([{"action": "promote-replica", "target": "replica"}], faults=[lag])
    assert not out.invariants_ok
    assert any("lost" in r for r in out.reasons)


def test_symptom_hiding_is_exported_as_names_and_a_predicate() -> None:
    assert "silence-alert" in SYMPTOM_HIDING
    hide = mitigation_adapter().validate_python({"action": "shed-load", "target": "gw",
                                                 "fraction": 1.0})  # fmt: skip
    keep = mitigation_adapter().validate_python({"action": "shed-load", "target": "gw"})
    assert is_symptom_hiding(hide)
    assert not is_symptom_hiding(keep)
