"""Rebuttals of wrong choices: in the debrief's data and its questions section, one per wrong
choice of a bank question, aligned with the choices; the scenario's own questions have none."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from chaosgame.game import debrief_text
from chaosgame.game.debrief import questions
from chaosgame.game.questions import by_id
from chaosgame.scenario.library import load


def _questions(seed: int = 7) -> list[dict[str, Any]]:
    fake = SimpleNamespace(
        scenario=load("checkout-payment-step-failing"), player=SimpleNamespace(seed=seed)
    )
    return questions(cast(Any, fake))


def test_the_debrief_data_carries_each_wrong_choices_rebuttal() -> None:
    out = _questions()
    own = [q for q in out if q["source"] == "scenario"]
    drawn = [q for q in out if q["source"] == "bank" and q["kind"] == "choice"]
    assert own
    assert drawn
    assert all(q["why_not"] == [] for q in own)
    for q in drawn:
        bank = by_id(q["id"])
        assert len(q["why_not"]) == len(q["choices"])
        assert q["why_not"][q["answer"]] is None
        for n, why in enumerate(q["why_not"]):
            assert why == bank.rebuttal(n)
            assert (why is None) == (n == q["answer"])


def _choice(why_not: list[str | None]) -> dict[str, Any]:
    return {
        "question": "Which SLI matches user pain?",
        "kind": "choice",
        "choices": ["CPU", "Successful checkouts", "Disk"],
        "answer": 1,
        "explanation": "Users feel failed checkouts.",
        "why_not": why_not,
    }


def test_the_questions_section_lists_every_wrong_choices_rebuttal_after_the_answer() -> None:
    d = {"questions": [_choice(["CPU is a cause.", None, "Disk is a cause too."])]}
    rows = debrief_text.questions_section(d)["rows"]
    texts = [(r["lead"], r["text"]) for r in rows]
    answer = texts.index(("  A: ", "2) Successful checkouts"))
    assert texts[answer + 1] == ("     ", "Users feel failed checkouts.")
    assert texts[answer + 2 :] == [
        ("     Not 1: ", "CPU is a cause."),
        ("     Not 3: ", "Disk is a cause too."),
    ]


def test_a_question_without_rebuttals_shows_none() -> None:
    # a scenario's own question, or a debrief saved before rebuttals existed
    old = _choice([])
    del old["why_not"]
    for q in (_choice([]), old):
        rows = debrief_text.questions_section({"questions": [q]})["rows"]
        assert not [r for r in rows if r["lead"].strip().startswith("Not")]


def test_the_console_debrief_prints_rebuttals_wrapped() -> None:
    d = {"questions": [_choice(["CPU is a cause. " * 8, None, "Disk."])]}
    lines = [
        line
        for r in debrief_text.questions_section(d)["rows"]
        for line in debrief_text.wrap_row(r, 60)
    ]
    first = next(i for i, line in enumerate(lines) if "Not 1:" in line)
    assert lines[first].startswith("       Not 1: CPU is a cause.")
    nxt = lines[first + 1]
    assert nxt[:14] == " " * 14
    assert nxt[14] != " "
