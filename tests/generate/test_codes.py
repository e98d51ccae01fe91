"""Seed codes: short, forgiving to read, hard to mistype unnoticed, and versioned."""

from __future__ import annotations

import datetime as dt

import pytest

from chaosgame.generate.codes import (
    ALPHABET,
    DIFFICULTIES,
    MAX_SEED,
    CodeError,
    SeedCode,
    daily,
    decode,
    encode,
    looks_like_code,
    parse,
)
from chaosgame.scenario.model import TOPICS


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 123456, MAX_SEED])
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_code_carries_seed_difficulty_and_topic(seed: int, difficulty: str) -> None:
    for topic in (None, *sorted(TOPICS)):
        code = SeedCode(seed, difficulty, topic)
        text = encode(code)
        assert len(text) == 9
        assert text[4] == "-"
        assert set(text.replace("-", "")) <= set(ALPHABET)
        assert decode(text) == code


def test_neighbouring_seeds_give_unrelated_codes() -> None:
    a, b = encode(SeedCode(1000)), encode(SeedCode(1001))
    assert sum(x != y for x, y in zip(a, b, strict=True)) >= 4


def test_reading_is_forgiving() -> None:
    text = encode(SeedCode(4242, "hard", "slo"))
    loose = text.lower().replace("-", " ")
    assert decode(loose) == decode(text)
    assert decode(text.replace("-", "")) == decode(text)
    # the letters people confuse with digits read as those digits
    with_letters = text.replace("0", "O").replace("1", "I")
    assert decode(with_letters) == decode(text)


def test_most_single_typos_are_caught_and_none_reads_as_the_same_incident() -> None:
    caught = tried = 0
    for seed in range(0, 4000, 97):
        text = encode(SeedCode(seed, "normal")).replace("-", "")
        for pos in range(8):
            for c in ALPHABET[::3]:
                if c == text[pos]:
                    continue
                tried += 1
                typo = text[:pos] + c + text[pos + 1 :]
                try:
                    got = decode(typo)
                except CodeError:
                    caught += 1
                    continue
                assert got != decode(text)
    assert caught / tried > 0.85


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("K7F3", "8 characters"),
        ("K7F3-QX2U", "not used in codes"),
        ("", "8 characters"),
    ],
)
def test_a_bad_code_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(CodeError, match=words):
        decode(text)


def test_a_code_of_another_generator_version_is_refused_not_misread() -> None:
    text = encode(SeedCode(77, version=2))
    with pytest.raises(CodeError, match="version 2"):
        decode(text)


def test_parse_takes_numbers_and_codes_and_refuses_contradictions() -> None:
    assert parse("12", "hard", "slo") == SeedCode(12, "hard", "slo")
    assert parse("12") == SeedCode(12, "normal", None)
    code = SeedCode(12, "expert")
    assert parse(code.code) == code
    with pytest.raises(CodeError, match="difficulty expert"):
        parse(code.code, "easy")
    with pytest.raises(CodeError, match="topic any"):
        parse(code.code, None, "slo")
    with pytest.raises(CodeError, match="out of range"):
        parse(str(MAX_SEED + 1))
    with pytest.raises(CodeError, match="unknown topic"):
        parse("3", None, "kubernetes")
    assert looks_like_code(code.code)
    assert not looks_like_code("12345678")


def test_the_daily_incident_is_one_per_date() -> None:
    day = dt.date(2026, 12, 5)
    assert daily(day) == daily(dt.date(2026, 12, 5))
    week = {daily(day + dt.timedelta(days=k)).code for k in range(7)}
    assert len(week) == 7
    assert {daily(day + dt.timedelta(days=k)).difficulty for k in range(7)} == set(DIFFICULTIES)
