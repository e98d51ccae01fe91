"""The interview question bank: every file loads, every topic is covered, draws are seeded."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from chaosgame.game.questions import (
    BANK_DIR,
    BankQuestion,
    QuestionBankError,
    by_id,
    by_topic,
    draw,
    load_bank,
    load_file,
)
from chaosgame.scenario.model import TOPICS

BANK_FILES = sorted(BANK_DIR.glob("*.yaml"))
COMPLETE = len(BANK_FILES) == len(TOPICS)
needs_full_bank = pytest.mark.skipif(not COMPLETE, reason="question bank still being written")


@pytest.fixture(scope="module")
def bank() -> list[BankQuestion]:
    return load_bank()


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_every_file_loads_and_is_named_after_a_topic(path: Path) -> None:
    questions = load_file(path)
    assert path.stem in TOPICS
    assert questions
    # a file holds the questions whose main topic is the file's topic
    assert {q.topics[0] for q in questions} == {path.stem}
    assert all(q.id.startswith(path.stem + "-") for q in questions)


@needs_full_bank
def test_one_file_per_topic() -> None:
    assert sorted(p.stem for p in BANK_FILES) == sorted(TOPICS)


@needs_full_bank
def test_bank_size_and_coverage(bank: list[BankQuestion]) -> None:
    assert len(bank) >= 120
    tagged = Counter(t for q in bank for t in q.topics)
    first = Counter(q.topics[0] for q in bank)
    for topic in TOPICS:
        assert tagged[topic] >= 5, topic
        assert first[topic] >= 5, topic


@needs_full_bank
def test_every_topic_mixes_choice_and_open(bank: list[BankQuestion]) -> None:
    for topic in TOPICS:
        kinds = {q.kind for q in bank if q.topics[0] == topic}
        assert kinds == {"choice", "open"}, topic


def test_ids_are_unique(bank: list[BankQuestion]) -> None:
    counts = Counter(q.id for q in bank)
    assert [i for i, c in counts.items() if c > 1] == []


def test_answers_are_well_formed(bank: list[BankQuestion]) -> None:
    for q in bank:
        assert q.explanation.strip()
        if q.kind == "choice":
            assert isinstance(q.answer, int)
            assert 0 <= q.answer < len(q.choices)
            assert 2 <= len(q.choices) <= 5
            assert q.correct_choice() == q.choices[q.answer]
        else:
            assert isinstance(q.answer, str)
            assert len(q.answer) > 80, q.id  # a model answer, not a keyword
            assert q.rubric, q.id
            assert q.choices == ()
            assert q.correct_choice() is None


def test_right_answers_are_spread_over_positions(bank: list[BankQuestion]) -> None:
    # always picking the same position must not be a winning strategy
    choice = [q for q in bank if q.kind == "choice"]
    positions = Counter(q.answer for q in choice)
    assert len(positions) >= 3
    assert max(positions.values()) <= 0.4 * len(choice)


def test_by_topic_and_by_id(bank: list[BankQuestion]) -> None:
    slo = by_topic("slo")
    assert slo
    assert all("slo" in q.topics for q in slo)
    assert by_id(bank[0].id) == bank[0]
    with pytest.raises(KeyError, match="no question"):
        by_id("nope-999")
    with pytest.raises(ValueError, match="unknown topic id 'slos'"):
        by_topic("slos")


def test_draw_is_deterministic_for_a_seed() -> None:
    a = [q.id for q in draw(["slo", "deploy-strategies"], 6, seed=7)]
    b = [q.id for q in draw(["slo", "deploy-strategies"], 6, seed=7)]
    assert a == b
    assert len(a) == len(set(a)) == 6


def test_draw_differs_across_seeds() -> None:
    draws = {tuple(q.id for q in draw(["slo"], 4, seed=s)) for s in range(10)}
    assert len(draws) > 1


def test_draw_respects_topics_exclusions_and_pool_size() -> None:
    picked = draw(["slo"], 3, seed=1)
    assert all("slo" in q.topics for q in picked)
    again = draw(["slo"], 100, seed=1, exclude=[q.id for q in picked])
    assert not {q.id for q in picked} & {q.id for q in again}
    assert len(again) == len(by_topic("slo")) - 3
    assert draw(["slo"], 0, seed=1) == []


def test_draw_takes_turns_between_topics() -> None:
    picked = draw(["slo", "deploy-strategies"], 2, seed=3)
    covered = {t for q in picked for t in q.topics}
    assert {"slo", "deploy-strategies"} <= covered


def test_draw_with_no_topics_uses_the_whole_bank(bank: list[BankQuestion]) -> None:
    ids = {q.id for q in bank}
    assert {q.id for q in draw([], 10, seed=5)} <= ids


def test_draw_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown topic id 'nosuch'"):
        draw(["nosuch"], 3, seed=1)
    with pytest.raises(ValueError, match="negative"):
        draw(["slo"], -1, seed=1)


GOOD = """\
- id: slo-901
  topics: [slo]
  difficulty: easy
  kind: choice
  question: Q?
  choices: [a, b]
  answer: 1
  explanation: because
  why_not: {0: "a looks right but is not"}
"""
WHY_NOT = '  why_not: {0: "a looks right but is not"}\n'


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_valid_directory_loads(tmp_path: Path) -> None:
    _write(tmp_path, "slo.yaml", GOOD)
    (q,) = load_bank(tmp_path)
    assert q.id == "slo-901"
    assert q.correct_choice() == "b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- id: slo-901\n  topics: [slo\n", r"broken\.yaml: not valid YAML"),
        ("just: a mapping\n", r"broken\.yaml: expected a non-empty list"),
        ("- 42\n", r"broken\.yaml: entry 1: expected a mapping"),
        (GOOD.replace("answer: 1", "answer: 2"), r"broken\.yaml: entry 1 \(slo-901\): answer 2"),
        (GOOD.replace("[slo]", "[slos]"), r"entry 1 \(slo-901\): topics: unknown topic id 'slos'"),
        (GOOD.replace("kind: choice", "kind: open"), r"an open question has no choices"),
        (GOOD.replace("answer: 1", "answer: yes"), r"entry 1 \(slo-901\): answer"),
        (GOOD + "  colour: red\n", r"entry 1 \(slo-901\): colour: Extra inputs"),
        (GOOD.replace("[a, b]", "[a, b: c]"), r"choices\.1: .*unquoted ': ' .* quote the text"),
        (GOOD.replace("[a, b]", "[a, no]"), r"choices\.1: .*booleans in YAML"),
        (GOOD.replace("choices: [a, b]", "choices: [a]"), r"needs 2 to 5 choices, found 1"),
        (
            GOOD.replace("kind: choice", "kind: open")
            .replace("  choices: [a, b]\n", "")
            .replace(WHY_NOT, "")
            .replace("answer: 1", "answer: a model answer"),
            r"needs a rubric",
        ),
        (GOOD + GOOD.replace("slo-901", "bad id"), r"entry 2 \(bad id\): id: String should match"),
    ],
)
def test_a_malformed_file_gives_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    _write(tmp_path, "broken.yaml", text)
    with pytest.raises(QuestionBankError, match=expected):
        load_bank(tmp_path)


def test_a_rebuttal_is_read_by_choice_index(tmp_path: Path) -> None:
    text = GOOD.replace("[a, b]", "[a, b, c]").replace(WHY_NOT, "  why_not: {0: no a, 2: no c}\n")
    (q,) = load_bank(_write(tmp_path, "slo.yaml", text).parent)
    assert q.why_not == {0: "no a", 2: "no c"}
    assert (q.rebuttal(0), q.rebuttal(1), q.rebuttal(2)) == ("no a", None, "no c")


def _why_not(value: str) -> str:
    return GOOD.replace(WHY_NOT, f"  why_not: {value}\n" if value else "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _why_not(""),
            r"broken\.yaml: entry 1 \(slo-901\): why_not: no rebuttal for wrong choice 0",
        ),
        (
            GOOD.replace("[a, b]", "[a, b, c]").replace(WHY_NOT, "  why_not: {2: not c}\n"),
            r"entry 1 \(slo-901\): why_not: no rebuttal for wrong choice 0 \(say what is half-right",
        ),
        (_why_not("{0: not a, 1: yes it is}"), r"why_not: 1 is the right answer; only the wrong"),
        (
            _why_not("{0: not a, 4: not e}"),
            r"entry 1 \(slo-901\): why_not: 4 is not a choice index \(0 to 1\)",
        ),
        (_why_not('{0: "   "}'), r"why_not: the rebuttal of choice 0 is blank"),
        (_why_not("{0: no}"), r"why_not\.0: .*booleans in YAML"),
        (_why_not('{0: ""}'), r"why_not\.0: String should have at least 1 character"),
        (_why_not('{"0": not a}'), r"why_not: key '0' is not a choice index"),
        (_why_not("[not a]"), r"why_not: must map the index of each wrong choice .* not list"),
        (_why_not("~"), r"entry 1 \(slo-901\): why_not: is empty; give the rebuttal"),
        (_why_not("{0: {a: b}}"), r"why_not\.0: .*unquoted ': '"),
        (
            GOOD.replace("kind: choice", "kind: open")
            .replace("  choices: [a, b]\n", "")
            .replace("answer: 1", "answer: a model answer")
            + "  rubric: [a point]\n",
            r"entry 1 \(slo-901\): an open question has no why_not",
        ),
    ],
)
def test_a_wrong_why_not_gives_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    _write(tmp_path, "broken.yaml", text)
    with pytest.raises(QuestionBankError, match=expected):
        load_bank(tmp_path)


def test_every_choice_question_rebuts_each_wrong_choice(bank: list[BankQuestion]) -> None:
    choice = [q for q in bank if q.kind == "choice"]
    assert len(choice) >= 80
    for q in choice:
        wrong = [n for n in range(len(q.choices)) if n != q.answer]
        assert sorted(q.why_not) == wrong, q.id
        assert q.rebuttal(int(q.answer)) is None, q.id
        for n in wrong:
            text = q.rebuttal(n)
            assert text is not None, (q.id, n)
            # one or two sentences: more than a keyword, less than an essay
            assert 60 <= len(text) <= 400, (q.id, n, len(text))
            assert text != q.explanation, (q.id, n)
        assert len(set(q.why_not.values())) == len(wrong), q.id


def test_no_text_keeps_a_hyphen_split_by_line_wrapping(bank: list[BankQuestion]) -> None:
    # a folded YAML line ending in "production-" reads "production- sized" once loaded
    split = re.compile(r"\w- \w")
    for q in bank:
        answer = [q.answer] if isinstance(q.answer, str) else []
        texts = [q.question, q.explanation, *q.choices, *q.rubric, *q.why_not.values(), *answer]
        assert not [t for t in texts if split.search(t)], q.id


def test_open_questions_have_no_rebuttals(bank: list[BankQuestion]) -> None:
    assert all(q.why_not == {} for q in bank if q.kind == "open")


def test_duplicate_ids_across_files_are_named(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    _write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(QuestionBankError, match=r"b\.yaml: question id 'slo-901' .* in a\.yaml"):
        load_bank(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionBankError, match="no question files"):
        load_bank(tmp_path)
