"""Log searches end: linear-time regular expressions, a budget, and a stop flag.

Regular expressions are RE2's (no pattern backtracks), a search that would read more lines
than its budget reads the newest ones and says where it stopped, and a search asked to stop
stops at its next chunk.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry import logsearch, regex
from chaosgame.telemetry.budget import Budget, Cancelled
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.logs import Category, categories, counts
from chaosgame.telemetry.logsearch import Filter, render, search
from chaosgame.telemetry.query import run

TICKS = 12


def _lines(sim: Simulator, cats: list[Category], lo: int, hi: int) -> list[tuple[int, str]]:
    """Every line of the window as (tick, text)."""
    n = counts(sim, cats, lo, hi, sim.now)
    return [
        (lo + t, render(sim, c, lo + t, k)[1])
        for r, c in enumerate(cats)
        for t in range(hi - lo)
        for k in range(int(n[r, t]))
    ]


@pytest.fixture(scope="module")
def window(storm: Simulator) -> tuple[list[Category], int, int, list[tuple[int, str]]]:
    cats = [
        c for name in ("checkout", "payments") for c in categories(storm, storm.world.index[name])
    ]
    hi = storm.history.ticks
    lo = hi - TICKS
    return cats, lo, hi, _lines(storm, cats, lo, hi)


# ------------------------------------------------------------------ RE2
def test_patterns_that_backtrack_forever_elsewhere_are_linear_here() -> None:
    pattern = regex.compile("(x+x+)+y")  # exponential in a backtracking engine
    assert not pattern.search("x" * 5000)
    assert not regex.compile("(.*a){25}").search("a" * 24 + "b" * 5000)
    assert regex.compile("(.*a){25}").search("a" * 25)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", "backreferences"),
        ("(?=x)y", "lookahead"),
        ("(?<!x)y", "lookbehind"),
        ("a{1001}", "at most 1000"),
        ("[", "bad regular expression: missing ]"),
        (r"end\Z", r"write \z"),
    ],
)
def test_what_re2_does_not_offer_is_a_clear_error(
    storm: Simulator, pattern: str, words: str
) -> None:
    with pytest.raises(regex.RegexError, match=re.escape(words)):
        regex.compile(pattern)
    with pytest.raises(QueryError) as got:
        run(storm, f'{{service="checkout"}} |~ "{pattern}"')
    assert words in str(got.value)
    assert "^" in str(got.value)  # with a caret under the pattern
    with pytest.raises(QueryError, match=re.escape(words)):
        run(storm, f'up{{service=~"{pattern}"}}')


@pytest.mark.parametrize(
    "pattern",
    ["timeout|refused", "(?i)ERROR", r"\d{3}ms", "^20", r"ms$", "", "x*", r"\bGET\b", "^$", "[^a]"],
)
def test_lines_tested_together_are_tested_as_each_alone(pattern: str) -> None:
    texts = ["", "GET /a 200 123ms", "ERROR timeout", "a", "refused", "2026 x", "日本 ms", "GETx"]
    texts = texts * 700  # more than one batch
    compiled = regex.compile(pattern)
    want = [compiled.search(t) for t in texts]
    assert compiled.lines(texts).tolist() == want
    assert want == [re.search(pattern, t) is not None for t in texts]


def test_a_regular_expression_finds_what_a_grep_finds(
    storm: Simulator, window: tuple[list[Category], int, int, list[tuple[int, str]]]
) -> None:
    cats, lo, hi, lines = window
    for rx in (
        r"attempt [23]/\d",
        r"(?i)TIMEOUT|refused",
        r"\d{4}ms",
        r"user=\w+ pod",
        "timeout|refused",
        "(status 5|deadline )exceeded|(Internal) Server",
        r"payments:\d+/v1.*\(timeout",
        r"[0-9a-f]{4}ab+c? pod=",
        "retrying call to (payments|fraud)",
    ):
        found = search(storm, cats, [Filter("|~", rx, 0)], lo, hi, storm.now, 0, 10)
        assert found.start == 0
        assert found.matched == sum(1 for _, t in lines if re.search(rx, t))
        assert all(re.search(rx, t) for _, _, t in found.page)


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("timeout", ["timeout"]),
        ("timeout|refused", ["timeout", "refused"]),
        ("attempt [23]/4", ["attempt "]),
        (r"\d{4}ms", ["ms"]),
        ("ab+c", ["ab"]),
        ("abc?d", ["ab"]),
        ("(foo|bar)bazz", ["bazz"]),
        (r"deadline exceeded \(timeout", ["deadline exceeded (timeout"]),
        ("x{0,3}yz", ["yz"]),
        ("(?i)error", None),
        ("a|.*", None),
        ("", None),
        (r"a\nb", None),
        ("a{b", None),
        (r"\pLx", None),
    ],
)
def test_the_literals_every_match_contains(pattern: str, literals: list[str] | None) -> None:
    assert regex.required(pattern) == literals


def test_every_match_contains_one_of_the_required_literals(
    window: tuple[list[Category], int, int, list[tuple[int, str]]],
) -> None:
    """Patterns made of pieces of real lines, with classes, groups, quantifiers and
    alternatives: every line a pattern matches holds one of its literals."""
    texts = [t for _, t in window[3][::13]]
    rng = random.Random(5)
    tried = 0
    for _ in range(200):
        pattern = "|".join(_pattern(rng, rng.choice(texts)) for _ in range(rng.randint(1, 3)))
        literals = regex.required(pattern)
        if literals is None:
            continue
        tried += 1
        hits = regex.compile(pattern).lines(texts)
        for text in (t for t, hit in zip(texts, hits, strict=True) if hit):
            assert any(lit in text for lit in literals), (pattern, literals, text)
    assert tried > 60


def _pattern(rng: random.Random, text: str) -> str:
    """A pattern that matches part of ``text``: its characters, some made classes, groups,
    optional or repeated."""
    start = rng.randrange(max(len(text) - 12, 1))
    out = []
    for ch in text[start : start + rng.randint(3, 12)]:
        atom = re.escape(ch)
        roll = rng.random()
        if roll < 0.15:
            atom = r"\d" if ch.isdigit() else "." if roll < 0.05 else r"[^\n]"
        elif roll < 0.25:
            atom = f"(?:{atom})"
        elif roll < 0.3:
            atom = f"({atom}|zz)"
        out.append(atom + rng.choice(["", "", "", "?", "*", "+", "{1,2}", "{0,1}"]))
    return "".join(out)


def test_a_regular_expression_does_not_write_lines_that_cannot_match(
    storm: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = []
    real = logsearch.render

    def counting(*args: Any) -> tuple[float, str]:
        written.append(1)
        return real(*args)

    monkeypatch.setattr(logsearch, "render", counting)
    out, _ = run(storm, '{service="web"} |~ "connection refused|no such host" --since=1d')
    assert out["complete"]
    assert out["scanned"] > 100_000
    assert len(written) < out["scanned"] // 100


# ------------------------------------------------------------------ budget
def test_a_search_over_its_budget_reads_the_newest_lines_and_says_so(
    storm: Simulator, window: tuple[list[Category], int, int, list[tuple[int, str]]]
) -> None:
    cats, lo, hi, lines = window
    rx = "ms"
    budget = Budget(render_lines=len(lines) // 3)
    found = search(storm, cats, [Filter("|~", rx, 0)], lo, hi, storm.now, 0, 20, budget)
    assert 0 < found.start < TICKS
    searched = [t for tick, t in lines if tick >= lo + found.start]
    assert found.scanned == len(searched) < len(lines)
    assert found.matched == sum(1 for t in searched if rx in t) > 0
    whole = search(storm, cats, [Filter("|~", rx, 0)], lo, hi, storm.now, 0, 20)
    assert [t for _, _, t in found.page] == [t for _, _, t in whole.page]  # newest first
    assert budget.rendered >= len(lines) // 3


def test_plain_filters_have_a_budget_too(
    storm: Simulator,
    window: tuple[list[Category], int, int, list[tuple[int, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cats, lo, hi, lines = window
    needle = "a1"
    monkeypatch.setattr(logsearch, "READ_BLOCK", 5000)
    budget = Budget(bulk_lines=1)  # one block
    found = search(storm, cats, [Filter("|=", needle, 0)], lo, hi, storm.now, 0, 5, budget)
    searched = [t for tick, t in lines if tick >= lo + found.start]
    assert found.start > 0
    assert found.matched == sum(1 for t in searched if needle in t)


def test_the_answer_says_where_the_search_stopped(
    storm: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chaosgame.telemetry.budget.RENDER_LINES", 5000)
    out, _ = run(storm, '{service="checkout"} |~ "(.*a){25}" --since=1d')
    assert not out["complete"]
    note = out["notes"][0]
    assert note.startswith("stopped after ")
    assert "narrow --since" in note
    assert out["window"][0] > 0
    assert out["matched"] == 0
    whole, _ = run(storm, '{service="checkout"} |~ "(.*a){25}" --since=10s')
    assert whole["complete"]
    assert not any("stopped" in n for n in whole["notes"])


# ------------------------------------------------------------------ stop
def test_a_stopped_search_raises_at_its_next_chunk(
    storm: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = []
    real = logsearch.render

    def counting(*args: Any) -> tuple[float, str]:
        rendered.append(1)
        return real(*args)

    monkeypatch.setattr(logsearch, "render", counting)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(rendered) > 0  # stop as soon as the first line was written

    with pytest.raises(Cancelled):
        run(storm, '{service=~".+"} |~ "timeout" --since=1d', stop=stop)
    assert asked
    assert 0 < len(rendered) <= logsearch.RENDER_BLOCK
    with pytest.raises(Cancelled):
        run(storm, '{service=~".+"} |= "a1" --since=1d', stop=lambda: True)
