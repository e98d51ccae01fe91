"""chaosgame quiz: scripted from stdin, multiple-choice and open questions."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.game.quiz import Quiz, pick, run_quiz


def choice_q(answer: int = 1) -> Any:
    return SimpleNamespace(
        id="slo-901",
        topics=("slo",),
        kind="choice",
        question="Which SLI matches user pain?",
        choices=("CPU", "Successful checkouts", "Disk"),
        answer=answer,
        explanation="Users feel failed checkouts, not CPU.",
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
