"""A reference solution that never recovers is reported as such, never as recovering at 0."""

from __future__ import annotations

from chaosgame.game import scoring
from chaosgame.game.debrief import build_debrief
from chaosgame.game.players import play
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario_text

# rolling back alone leaves the metastable retry storm running: the reference never recovers
HALF = load_scenario_text(
    find("checkout-payment-step-failing")
    .read_text(encoding="utf-8")
    .replace("    - {action: disable-retries, target: checkout, to: payments}\n", "")
)
FULL_FIX = [
    {"type": "mitigate", "action": "rollback", "target": "payments"},
    {"type": "mitigate", "action": "disable-retries", "target": "checkout", "to": "payments"},
    {"type": "wait", "seconds": 900},
]


def test_the_time_part_says_the_reference_never_recovered() -> None:
    session, refused = play(HALF, FULL_FIX)
    assert not refused
    assessment = session.finish()
    time = {p.key: p for p in assessment.score.parts}["time"]
    assert time.data["reference_s"] is None
    assert "(reference never recovered)" in time.detail
    assert "0.0 min" not in time.detail
    # recovering where even the reference did not earns the whole part
    assert time.data["fraction"] == 1.0
    debrief = build_debrief(assessment)
    shown = [row["text"] for s in debrief["sections"] for row in s["rows"]]
    assert any("reference never recovered" in text for text in shown)


def test_a_reference_that_never_recovers_scores_no_recovery_of_its_own() -> None:
    assert scoring.time_fraction(600.0, None, 3000.0) == 1.0
    assert scoring.time_fraction(None, None, 3000.0) == 0.0


def test_check_says_the_reference_never_recovered() -> None:
    reference = {c.name: c for c in check_scenario(HALF)}["reference-recovers"]
    assert not reference.ok
    assert reference.reason.startswith("the reference solution never recovered: ")
