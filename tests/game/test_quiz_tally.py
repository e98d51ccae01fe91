"""The quiz's public helpers, shared by ``chaosgame quiz`` and the TUI's quiz screen."""

from __future__ import annotations

from chaosgame.game.questions import by_id
from chaosgame.game.quiz import Tally, is_right, pick, right_choice


def test_tally_counts_each_kind_of_answer() -> None:
    tally = Tally()
    assert tally.line() == "no questions answered"
    assert tally.short() == "nothing answered yet"
    tally.record_choice(True)
    tally.record_choice(False)
    tally.record_open(True)
    tally.record_open(False)
    tally.record_skip()
    assert (tally.choice_right, tally.choice_asked) == (1, 2)
    assert (tally.open_covered, tally.open_asked) == (1, 2)
    assert tally.skipped == 1
    assert tally.line() == (
        "1 of 2 multiple-choice right; 1 of 2 open answers covered the rubric "
        "(your own judgement); 1 skipped"
    )
    assert tally.short() == "1/2 multiple-choice right, 1/2 open covered, 1 skipped"


def test_is_right_and_right_choice_on_bank_questions() -> None:
    q = by_id("slo-001")  # the right answer is the third choice
    assert q.kind == "choice"
    assert is_right(q, 2)
    assert not is_right(q, 0)
    assert right_choice(q) == "3) 20,000"
    open_q = next(q for q in pick("slo", 20, 1) if q.kind == "open")
    assert not is_right(open_q, 0)
