"""account-pages-cached-for-everyone: taking the account pages down is the right move, and
the scenario's ``harm`` section is what makes it count."""

from __future__ import annotations

from chaosgame.game import players, scoring
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

ID = "account-pages-cached-for-everyone"


def reference_score(sc: Scenario) -> scoring.Score:
    session, refused = players.play(sc, players.reference_actions(sc), sc.seed)
    assert not refused
    return scoring.assess(session).score


def test_the_takedown_is_legitimate_only_because_the_scenario_says_so() -> None:
    sc = load(ID)
    assert sc.harm is not None
    score = reference_score(sc)
    assert score.total >= 99.0
    assert not score.part("time").data["symptom_hiding"]
    # without the takedown allowance, shedding all of the account pages' traffic (later
    # lifted) is judged symptom hiding and the reference loses its time credit
    plain = sc.model_copy(update={"harm": sc.harm.model_copy(update={"takedown": []})})
    hidden = reference_score(plain)
    assert hidden.part("time").data["symptom_hiding"]
    assert hidden.part("time").points == 0.0


def test_rolling_back_without_the_takedown_leaves_data_exposed_and_costs_harm_points() -> None:
    sc = load(ID)
    rollback = {"type": "mitigate", "action": "rollback", "target": "account"}
    declare = {"type": "declare", "component": "account", "kind": "bad-deploy"}
    session, refused = players.play(
        sc, [rollback, {"type": "wait", "seconds": 900}, declare], sc.seed
    )
    assert not refused
    score = scoring.assess(session).score
    part = score.part("harm")
    more = part.data["player"]["exposure_min"] - part.data["reference"]["exposure_min"]
    assert more > 5.0  # the rollback takes ten minutes to act
    assert part.points < 0.6 * part.max_points
    assert "data stayed exposed" in part.detail
    # without the scenario's harm section the same play loses nothing for the exposure
    bare = sc.model_copy(update={"harm": None})
    session, _ = players.play(bare, [rollback, {"type": "wait", "seconds": 900}, declare], sc.seed)
    keys = [p.key for p in scoring.assess(session).score.parts]
    assert "harm" not in keys
