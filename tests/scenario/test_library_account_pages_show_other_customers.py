"""account-pages-show-other-customers: taking the account pages down is the right move, and
the scenario's ``harm`` section is what makes it count."""

from __future__ import annotations

from chaosgame.game import players, scoring
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

ID = "account-pages-show-other-customers"


def reference_score(sc: Scenario, *, lift: bool = True) -> scoring.Score:
    """The reference's score; without ``lift``, the shedding is never lifted."""
    actions = players.expert_actions(sc)
    if not lift:
        actions = [
            a for a in actions if not (a.get("action") == "shed-load" and a["fraction"] == 0)
        ]
    session, refused = players.play(sc, actions, sc.seed)
    assert not refused
    return scoring.assess(session).score


def test_the_takedown_is_legitimate_only_because_the_scenario_says_so() -> None:
    sc = load(ID)
    assert sc.harm is not None
    score = reference_score(sc)
    assert score.total >= 97.0
    assert not score.part("time").data["symptom_hiding"]
    # a takedown still in force at the end is allowed by the scenario...
    assert not reference_score(sc, lift=False).part("time").data["symptom_hiding"]
    # ...and without the allowance it is judged symptom hiding: no time credit (lifted
    # before the end, it hides nothing either way)
    plain = sc.model_copy(update={"harm": sc.harm.model_copy(update={"takedown": []})})
    hidden = reference_score(plain, lift=False)
    assert hidden.part("time").data["symptom_hiding"]
    assert hidden.part("time").points == 0.0
    assert not reference_score(plain).part("time").data["symptom_hiding"]


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
