"""The score rewards reasoning, not guessing (docs/scoring.md, "Reasoning, not guessing").

A declaration made before looking at any evidence for it keeps half the diagnosis points;
investigating earns points only when the queries reached the causal chain; a right fix under
a wrong diagnosis cannot pass on its own; each change the incident did not call for costs
collateral; and a real but small incident still rewards the fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game import trail
from chaosgame.game.players import expert_actions, play, reference_actions
from chaosgame.game.scoring import GRADES, Score, assess, slo_fraction, time_fraction
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

PASS = next(floor for floor, letter in GRADES if letter == "D")
LOOK_PAYMENTS = {"type": "query", "q": 'logs {service="payments"} |= "error"'}
LOOK_OFF_CHAIN = {"type": "query", "view": "metric", "component": "catalog"}
RIGHT = {"type": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.9}
WRONG = {"type": "declare", "component": "catalog", "kind": "memory-leak", "confidence": 0.9}
END = {"type": "end"}


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load("checkout-payment-step-failing")


def fix(sc: Scenario) -> list[dict[str, Any]]:
    """The reference solution's mitigations and waits, without its declaration."""
    return [a for a in reference_actions(sc) if a["type"] not in ("declare", "end")]


def score(sc: Scenario, actions: list[dict[str, Any]]) -> Score:
    session, errors = play(sc, actions)
    assert not errors
    return assess(session).score


def test_the_expert_scores_high_but_not_by_construction(storm: Scenario) -> None:
    expert = score(storm, expert_actions(storm))
    assert 85 <= expert.total < 100  # looking first costs a little time: never 100 for free


def test_a_right_guess_keeps_half_the_diagnosis(storm: Scenario) -> None:
    guessed = score(storm, [*fix(storm), RIGHT, END])
    looked = score(storm, [LOOK_PAYMENTS, *fix(storm), RIGHT, END])
    g, lk = guessed.part("diagnosis"), looked.part("diagnosis")
    assert g.data["informed"] is False
    assert lk.data["informed"] is True
    assert g.points <= lk.points / 2 + 0.01
    assert "a guess keeps half the points" in g.detail
    assert looked.total > guessed.total + 15


def test_looking_after_declaring_does_not_inform_it(storm: Scenario) -> None:
    late = score(storm, [*fix(storm), RIGHT, LOOK_PAYMENTS, END])
    assert late.part("diagnosis").data["informed"] is False
    assert late.part("investigation").points == 0


def test_investigation_earns_only_when_it_reaches_the_causal_chain(storm: Scenario) -> None:
    off = score(storm, [LOOK_OFF_CHAIN, *fix(storm), RIGHT, END]).part("investigation")
    on = score(storm, [LOOK_PAYMENTS, *fix(storm), RIGHT, END]).part("investigation")
    assert off.points == 0
    assert off.data["evidence"] == []
    assert "reaches the evidence" in off.detail
    assert on.data["fraction"] == 1.0
    assert on.data["evidence"] == ["payments"]
    assert on.data["looked_at"] == ["payments"]


def test_a_lucky_fix_does_not_pass(storm: Scenario) -> None:
    lucky = score(storm, [LOOK_PAYMENTS, *fix(storm), WRONG, END])
    silent = score(storm, [LOOK_PAYMENTS, *fix(storm), END])
    expert = score(storm, expert_actions(storm))
    for s in (lucky, silent):
        assert s.total < PASS, s
        # the SLOs were kept as well as the expert kept them, but that alone is half the credit
        assert s.part("slo").data["fraction"] == pytest.approx(
            expert.part("slo").data["fraction"], abs=0.02
        )
        assert s.part("slo").data["gate"] == pytest.approx(0.5, abs=0.05)
        assert "only with its cause named" in s.part("slo").detail


def test_unneeded_changes_are_counted_and_cost_collateral(storm: Scenario) -> None:
    needless = [
        {"type": "mitigate", "action": "scale", "target": "catalog", "replicas": 6},
        {"type": "mitigate", "action": "restart", "target": "fulfilment"},
    ]
    tidy = score(storm, [LOOK_PAYMENTS, *fix(storm), RIGHT, END]).part("collateral")
    messy = score(storm, [LOOK_PAYMENTS, *needless, *fix(storm), RIGHT, END]).part("collateral")
    assert tidy.data["unneeded"] == []
    assert tidy.data["changes"] == 2
    assert messy.data["unneeded"] == ["scale catalog", "restart fulfilment"]
    assert messy.data["changes"] == 4
    assert messy.points <= tidy.points * (1 - 2 * 0.2) + 0.01
    assert "2 changes neither in the reference solution nor aimed at the causal chain" in (
        messy.detail
    )


def test_a_small_real_incident_still_rewards_the_fix() -> None:
    """Under 2 % of a budget between doing nothing and the ideal run: still harm to avoid."""
    sc = load("carts-empty-themselves")
    expert = score(sc, expert_actions(sc))
    nothing = score(sc, [END])
    assert expert.part("slo").data["harm_to_avoid"] is True
    b = expert.part("slo").data["burned"]
    assert b["nothing"] - b["reference"] < 0.02
    assert expert.total >= 85
    assert nothing.total <= 20
    fix_only = score(sc, [*fix(sc), END])
    assert nothing.total < fix_only.total < PASS


def test_beating_the_ideal_run_earns_the_whole_part() -> None:
    assert slo_fraction(0.01, 0.02, 0.5)[0] == 1.0
    assert time_fraction(30.0, 120.0, 2000.0) == 1.0


def test_a_query_looks_at_the_components_it_names() -> None:
    names = {"checkout", "checkout-db", "payments"}
    assert trail.looked(
        {"type": "query", "q": 'rate(errors{service="checkout-db"}[5m])'}, names
    ) == {"checkout-db"}
    assert trail.looked({"type": "query", "view": "metric", "component": "payments"}, names) == {
        "payments"
    }
    assert trail.looked({"type": "query", "view": "map"}, names) == set()
    assert trail.looked({"type": "query", "q": "kubectl get pods Checkout"}, names) == {"checkout"}
