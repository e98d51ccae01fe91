"""Seed codes: a short code such as ``K7F3-QX2M`` that carries everything a generated
incident depends on (the seed, the difficulty, the topic and the generator's version), so a
class can share one incident by reading eight characters aloud.

Eight characters of Crockford's base 32 (digits and capitals without I, L, O and U; reading
is forgiving: lower case, ``I``/``L`` for 1, ``O`` for 0, spaces and dashes are accepted) give
40 bits: 36 of payload (version 3, difficulty 2, topic 5, seed 26) mixed by an invertible
scramble, so neighbouring seeds give unrelated codes, and a 4-bit check that catches a
mistyped character.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from chaosgame.scenario.model import TOPICS

VERSION = 1
"""The generator's version: a code made by another version is refused, never misread."""
DIFFICULTIES = ("easy", "normal", "hard", "expert")
SEED_BITS = 26
MAX_SEED = 2**SEED_BITS - 1
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ = {c: i for i, c in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_MASK = 2**36 - 1
_MUL = 0x9E3779B1 | 1  # odd, so multiplying is invertible mod 2^36
_INV = pow(_MUL, -1, 2**36)
_XOR = 0x5A3C96E1B


class CodeError(ValueError):
    """A seed code that cannot be read (the message says why)."""


@dataclass(frozen=True)
class SeedCode:
    seed: int
    difficulty: str = "normal"
    topic: str | None = None
    version: int = VERSION

    def __post_init__(self) -> None:
        if not 0 <= self.seed <= MAX_SEED:
            raise CodeError(f"seed {self.seed} is out of range (0 to {MAX_SEED:,})")
        if self.difficulty not in DIFFICULTIES:
            raise CodeError(
                f"unknown difficulty '{self.difficulty}' (choose {', '.join(DIFFICULTIES)})"
            )
        if self.topic is not None and self.topic not in TOPICS:
            raise CodeError(f"unknown topic '{self.topic}' (topics: {', '.join(sorted(TOPICS))})")

    @property
    def code(self) -> str:
        return encode(self)

    def __str__(self) -> str:
        return self.code


def _topics() -> list[str]:
    return sorted(TOPICS)


def _scramble(x: int) -> int:
    x = (x * _MUL) & _MASK
    x ^= x >> 17
    return x ^ _XOR


def _unscramble(x: int) -> int:
    x ^= _XOR
    x ^= x >> 17 ^ x >> 34  # undoes x ^= x >> 17 on 36 bits
    return (x * _INV) & _MASK


def _check(payload: int) -> int:
    return hashlib.sha256(payload.to_bytes(5, "big")).digest()[0] & 0xF


def encode(sc: SeedCode) -> str:
    topic = 0 if sc.topic is None else _topics().index(sc.topic) + 1
    payload = (
        (sc.version & 0x7) << 33
        | DIFFICULTIES.index(sc.difficulty) << 31
        | topic << SEED_BITS
        | sc.seed
    )
    value = _scramble(payload) << 4 | _check(payload)
    chars = "".join(ALPHABET[(value >> (5 * (7 - i))) & 31] for i in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def looks_like_code(text: str) -> bool:
    clean = text.replace("-", "").replace(" ", "").upper()
    return len(clean) == 8 and not clean.isdigit() and all(c in _READ for c in clean)


def decode(text: str) -> SeedCode:
    """The seed code ``text`` spells; :class:`CodeError` says what is wrong with it."""
    clean = text.replace("-", "").replace(" ", "").upper()
    if len(clean) != 8:
        raise CodeError(f"'{text}' is not a seed code: a code has 8 characters, such as K7F3-QX2M")
    value = 0
    for pos, c in enumerate(clean):
        if c not in _READ:
            raise CodeError(
                f"'{text}' is not a seed code: character {pos + 1} ('{c}') is not used in codes"
            )
        value = value << 5 | _READ[c]
    payload = _unscramble(value >> 4)
    if _check(payload) != value & 0xF:
        raise CodeError(f"'{text}' is not a valid seed code (a character is mistyped)")
    version = payload >> 33
    if version != VERSION:
        raise CodeError(
            f"seed code {text} was made by generator version {version}; this chaosgame "
            f"generates version {VERSION} (update chaosgame to play it)"
        )
    difficulty = DIFFICULTIES[(payload >> 31) & 0x3]
    topic_index = (payload >> SEED_BITS) & 0x1F
    topics = _topics()
    if topic_index > len(topics):
        raise CodeError(f"'{text}' is not a valid seed code (unknown topic)")
    topic = None if topic_index == 0 else topics[topic_index - 1]
    return SeedCode(payload & MAX_SEED, difficulty, topic, version)


def parse(text: str, difficulty: str | None = None, topic: str | None = None) -> SeedCode:
    """A seed given on the command line: a code, or a number with optional settings.

    A code carries its own settings; asking for different ones is an error rather than a
    silent override (two people would otherwise play different incidents)."""
    text = text.strip()
    if text.isdigit():
        return SeedCode(int(text), difficulty or "normal", topic)
    code = decode(text)
    if difficulty is not None and difficulty != code.difficulty:
        raise CodeError(
            f"seed code {code.code} makes an incident of difficulty {code.difficulty}; drop "
            "--difficulty "
            f"or give a number instead of a code"
        )
    if topic is not None and topic != code.topic:
        raise CodeError(
            f"seed code {code.code} is for topic {code.topic or 'any'}; drop --topic "
            f"or give a number instead of a code"
        )
    return code


DAILY_DIFFICULTY = ("easy", "normal", "normal", "hard", "normal", "hard", "expert")
"""Monday to Sunday."""


def daily(date: dt.date) -> SeedCode:
    """The day's incident: the same code for everyone on ``date`` (a UTC date)."""
    digest = hashlib.sha256(f"chaosgame-daily:{date.isoformat()}".encode()).digest()
    seed = int.from_bytes(digest[:8], "big") & MAX_SEED
    return SeedCode(seed, DAILY_DIFFICULTY[date.weekday()], None)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
