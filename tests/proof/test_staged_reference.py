"""A staged reference solution (waits and conditions between its mitigations) is played that
way by ``check``; applied all at once it fails; a condition that never holds is bounded."""

from __future__ import annotations

from chaosgame.game.players import play, reference_actions
from chaosgame.proof.checker import Check, check_scenario
from chaosgame.scenario.action_rules import WaitStep, WaitUntilStep
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario_text

STAGED = find("product-pages-fail-at-morning-peak").read_text(encoding="utf-8")


def verdicts(text: str) -> dict[str, Check]:
    return {c.name: c for c in check_scenario(load_scenario_text(text))}


def test_the_reference_waits_for_its_conditions_between_stages() -> None:
    sc = load_scenario_text(STAGED)
    acts = reference_actions(sc)
    kinds = [a["type"] for a in acts]
    assert kinds == [
        "mitigate",
        "wait_until",
        "mitigate",
        "wait_until",
        "mitigate",
        "declare",
        "end",
    ]
    session, errors = play(sc, acts)
    assert errors == []
    assert session.sim is not None
    mitigations = [e for e in session.sim.events if e.kind == "mitigation"]
    asked = [e.time for e in mitigations if e.message.endswith("requested")]
    # each stage is asked for only once the cache has warmed: minutes apart, not at once
    assert asked[1] - asked[0] > 600.0
    assert asked[2] - asked[1] > 300.0


def test_applied_all_at_once_the_staged_plan_does_not_recover() -> None:
    sc = load_scenario_text(STAGED)
    flat = [s for s in sc.truth.reference_solution if not isinstance(s, WaitUntilStep | WaitStep)]
    at_once = sc.model_copy(
        update={"truth": sc.truth.model_copy(update={"reference_solution": flat})}
    )
    v = {c.name: c for c in check_scenario(at_once)}
    assert not v["reference-recovers"].ok


def test_a_condition_that_never_holds_fails_check_with_its_reason() -> None:
    text = STAGED.replace(
        "metric: cache_hit, above: 0.4}\n      timeout: 30m",
        "metric: cache_hit, above: 0.99}\n      timeout: 10m",
    )
    v = verdicts(text)
    reason = v["reference-recovers"].reason
    assert not v["reference-recovers"].ok
    assert "wait_until cache_hit of catalog-cache above 0.99 never held within 10m" in reason
    assert "lengthen its timeout" in reason


def test_a_plain_wait_is_played_in_hour_long_waits() -> None:
    sc = load_scenario_text(find("issue-tracker-down").read_text(encoding="utf-8"))
    acts = reference_actions(sc)
    assert {"type": "wait", "seconds": 2700.0} in acts
    long = sc.truth.model_copy(
        update={"reference_solution": [WaitStep(wait=9000.0), *sc.truth.mitigations]}
    )
    acts = reference_actions(sc.model_copy(update={"truth": long}))
    assert [a["seconds"] for a in acts if a["type"] == "wait"] == [3600.0, 3600.0, 1800.0]
