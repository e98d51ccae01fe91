"""The quiz cannot be passed by guessing from the shape of the choices.

Each test plays one blind strategy over every multiple-choice question in the bank and checks
that it scores at most ``MAX_GUESS_SHARE`` (40 %), well above chance (about 25 % with four
choices) but far below a pass. The strategies look only at the choices, never at the question:

* **longest**: pick the choice with the most characters;
* **shortest**: pick the choice with the fewest characters;
* **most technical**: pick the choice with the most technical words, where a word (a
  whitespace-separated token with surrounding punctuation stripped) is technical when it holds
  a digit, a hyphen or an underscore (``p99``, ``14.4``, ``per-host``, ``pool_size``), or when
  its lower-case form is in the small ``JARGON`` list below;
* **same position**: always pick position 0, 1, 2, 3 or 4 (a position beyond a question's
  last choice scores nothing for that question);
* **punctuated**: pick the first (or the last) choice that holds a parenthesis or a semicolon,
  the marks of a carefully qualified answer, or position 0 when none does.

Ties go to the earliest choice, as a player scanning from the top would do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from chaosgame.game.questions import BankQuestion, load_bank

MAX_GUESS_SHARE = 0.40

JARGON = frozenset(
    {
        "slo", "sli", "sla", "rpo", "rto", "p50", "p95", "p99", "percentile", "percentiles",
        "histogram", "histograms", "cardinality", "trace", "traces", "span", "spans",
        "canary", "rollback", "failover", "replica", "replicas", "idempotent", "quorum",
        "backoff", "jitter", "throttling", "latency", "saturation", "sharding", "shard",
        "readiness", "liveness", "probe", "scheduler", "autoscaler", "digest", "sbom",
        "tls", "dns", "ttl", "cpu", "drift", "replication", "inhibition", "heartbeat",
    }
)  # fmt: skip

_STRIP = ".,;:!?()[]{}\"'"


def is_technical(word: str) -> bool:
    """Whether a word counts as technical (see the module docstring)."""
    token = word.strip(_STRIP)
    if not token:
        return False
    return (
        any(ch.isdigit() for ch in token) or "-" in token or "_" in token or token.lower() in JARGON
    )


def technical_words(text: str) -> int:
    """How many of the text's words are technical."""
    return sum(is_technical(word) for word in text.split())


def _pick_max(values: Sequence[int]) -> int:
    return values.index(max(values))


def _pick_min(values: Sequence[int]) -> int:
    return values.index(min(values))


def _punctuated(q: BankQuestion, *, last: bool) -> int:
    marked = [i for i, c in enumerate(q.choices) if "(" in c or ";" in c]
    if not marked:
        return 0
    return marked[-1] if last else marked[0]


Strategy = Callable[[BankQuestion], int]


def _always(position: int) -> Strategy:
    return lambda q: position


STRATEGIES: dict[str, Strategy] = {
    "longest": lambda q: _pick_max([len(c) for c in q.choices]),
    "shortest": lambda q: _pick_min([len(c) for c in q.choices]),
    "most-technical": lambda q: _pick_max([technical_words(c) for c in q.choices]),
    **{f"position-{p}": _always(p) for p in range(5)},
    "first-punctuated": lambda q: _punctuated(q, last=False),
    "last-punctuated": lambda q: _punctuated(q, last=True),
}


@pytest.fixture(scope="module")
def choice_questions() -> list[BankQuestion]:
    questions = [q for q in load_bank() if q.kind == "choice"]
    assert questions, "the bank has no multiple-choice questions"
    return questions


def guess_share(strategy: Strategy, questions: Sequence[BankQuestion]) -> float:
    """The share of questions a strategy answers right."""
    return sum(strategy(q) == q.answer for q in questions) / len(questions)


def test_technical_word_rule() -> None:
    assert technical_words("Burn rate above 14.4 over the last hour") == 1
    assert technical_words("per-host p99 values and pool_size") == 3
    assert technical_words("Add a start-up probe (liveness, readiness).") == 4
    assert technical_words("Delete the runbook") == 0


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_blind_strategy_scores_at_most_40_percent(
    name: str, choice_questions: list[BankQuestion]
) -> None:
    strategy = STRATEGIES[name]
    share = guess_share(strategy, choice_questions)
    hits = sorted(q.id for q in choice_questions if strategy(q) == q.answer)
    assert share <= MAX_GUESS_SHARE, (
        f"guessing by {name} scores {share:.0%} over {len(choice_questions)} questions "
        f"(at most {MAX_GUESS_SHARE:.0%}); it is right on: {', '.join(hits)}"
    )


def test_every_choice_question_has_two_to_five_choices(
    choice_questions: list[BankQuestion],
) -> None:
    for q in choice_questions:
        assert 2 <= len(q.choices) <= 5, q.id
        assert isinstance(q.answer, int), q.id
        assert 0 <= q.answer < len(q.choices), q.id
