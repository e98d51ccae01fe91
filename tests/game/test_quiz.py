"""chaosgame quiz: scripted from stdin, multiple-choice and open questions."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.game.quiz import Quiz, pick, rebuttal, run_quiz


def choice_q(answer: int = 1) -> Any:
    return SimpleNamespace(
        id="slo-901",
        topics=("slo",),
        kind="choice",
        question="Which SLI matches user pain?",
        choices=("CPU", "Successful checkouts", "Disk"),
        answer=answer,
        explanation="Users feel failed checkouts, not CPU.",
        why_not={
            n: f"REBUTTAL-{n + 1}: tempting, but not what users feel."
            for n in range(3)
            if n != answer
        },
        rubric=(),
    )


def open_q() -> Any:
    return SimpleNamespace(
        id="slo-902",
        topics=("slo", "alerting-runbooks"),
        kind="open",
        question="Which burn rate would you page on?",
        choices=(),
        answer="Multi-window: 14.4x over 1 h and 5 min.",
        explanation="Fast burns page, slow burns ticket.",
        rubric=("two windows", "a threshold tied to the budget"),
    )


def _quiz(questions: list[Any], stdin: str) -> tuple[Quiz, str]:
    out = io.StringIO()
    quiz = Quiz(io.StringIO(stdin), out)
    quiz.run(questions)
    return quiz, out.getvalue()


def test_choice_right_wrong_and_bad_input() -> None:
    quiz, text = _quiz([choice_q(), choice_q()], "2\nseven\n9\n1\n")
    assert "Right." in text
    assert "Please answer with a number from 1 to 3." in text
    assert "Not quite. The answer: 2) Successful checkouts" in text
    assert "Users feel failed checkouts" in text
    assert quiz.tally.choice_right == 1
    assert quiz.tally.choice_asked == 2
    assert "Done: 1 of 2 multiple-choice right." in text


def test_a_wrong_choice_is_answered_with_its_own_rebuttal() -> None:
    _, text = _quiz([choice_q()], "3\n")
    assert "Not quite. The answer: 2) Successful checkouts" in text
    assert "Why not 3: REBUTTAL-3: tempting, but not what users feel." in text
    assert "REBUTTAL-1" not in text  # only the chosen choice's rebuttal
    # the rebuttal comes after the answer, never before it
    assert text.index("Your answer (1-3") < text.index("REBUTTAL-3")


def test_no_rebuttal_for_a_right_answer_a_skip_or_before_answering() -> None:
    _, text = _quiz([choice_q()], "2\n")
    assert "Right." in text
    assert "REBUTTAL" not in text
    _, text = _quiz([choice_q()], "s\n")
    assert "The answer: 2) Successful checkouts" in text
    assert "REBUTTAL" not in text
    _, text = _quiz([choice_q()], "")  # the input ends before an answer
    assert "Which SLI matches user pain?" in text
    assert "REBUTTAL" not in text


def test_a_real_bank_question_shows_the_chosen_rebuttal() -> None:
    from chaosgame.game.questions import by_id

    q = by_id("slo-001")  # answer 3) 20,000
    _, text = _quiz([q], "1\n")
    assert "Why not 1: 2,000 uses the right formula" in " ".join(text.split())
    assert "budget of 99 %" not in text  # choice 2's rebuttal is not shown


def test_rebuttal_helper() -> None:
    q = choice_q()
    assert rebuttal(q, 0) == "REBUTTAL-1: tempting, but not what users feel."
    assert rebuttal(q, 1) is None  # the right answer
    assert rebuttal(open_q(), 0) is None
    bare = choice_q()
    del bare.why_not  # a scenario's own question has none
    assert rebuttal(bare, 0) is None


def test_open_question_shows_model_answer_and_rubric() -> None:
    quiz, text = _quiz([open_q()], "page on two windows\nof burn rate\n\ny\n")
    assert "Model answer:" in text
    assert "- two windows" in text
    assert quiz.tally.open_asked == 1
    assert quiz.tally.open_covered == 1


def test_skip_quit_and_end_of_input_are_not_errors() -> None:
    quiz, text = _quiz([choice_q(), open_q(), choice_q()], "s\ns\nq\n")
    assert quiz.tally.skipped == 2
    assert "Done: 2 skipped." in text
    quiz, text = _quiz([choice_q(), choice_q()], "2\n")  # input ends after one answer
    assert "Done: 1 of 1 multiple-choice right." in text


def test_a_real_quiz_by_topic_is_deterministic() -> None:
    chosen = pick("slo", 3, seed=5)
    assert len(chosen) == 3
    assert all("slo" in q.topics for q in chosen)
    assert [q.id for q in pick("slo", 3, seed=5)] == [q.id for q in chosen]
    answers = "".join(
        f"{q.answer + 1}\n" if q.kind == "choice" else "an answer\n\ny\n" for q in chosen
    )
    out = io.StringIO()
    assert run_quiz(io.StringIO(answers), out, "slo", 3, seed=5) == 0
    text = out.getvalue()
    assert "Not quite" not in text
    assert "Question 3 of 3" in text


def test_quiz_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("q\n"))
    assert main(["quiz", "--topic", "slo", "--count", "2", "--seed", "3"]) == 0
    assert "Question 1 of 2" in capsys.readouterr().out
    assert main(["quiz", "--topic", "slos"]) == 2
    assert "did you mean 'slo'" in capsys.readouterr().err
    assert main(["quiz", "--count", "0"]) == 2
    assert "--count" in capsys.readouterr().err
