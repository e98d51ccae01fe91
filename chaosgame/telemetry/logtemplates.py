"""Log line templates: static text and typed fields, per component kind, language and format.

A template is a list of segments: literal text, or a :class:`Field` whose value is drawn per
line from a hash of the line's identity. Because every field has a known alphabet (digits,
hex) or a finite set of values (faker-made pools, pod names), a line filter can often be
decided for a whole category of lines from the template alone (:func:`decide`), which is how
a search counts a million lines without rendering them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from chaosgame.engine.rng import derive

DIGITS = frozenset(string.digits)
HEX = frozenset(string.digits + "abcdef")
TS = frozenset(string.digits + "-:.TZ ,")


@dataclass(frozen=True)
class Field:
    """A variable part of a line."""

    name: str  # ts, ms, trace, span, ip, user, pod, version, sql, n
    alphabet: frozenset[str] | None = None  # for open fields
    lengths: tuple[int, int] = (1, 32)
    values: tuple[str, ...] = ()  # for finite fields


Seg = str | Field
MASK = (1 << 64) - 1


def mix(x: int) -> int:
    """splitmix64: a fast, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


@dataclass(frozen=True)
class Pools:
    """Values made with faker, seeded from the scenario seed (never Faker's global seed)."""

    ips: tuple[str, ...]
    users: tuple[str, ...]
    tables: tuple[str, ...]

    @staticmethod
    def make(seed: int) -> Pools:
        from faker import Faker

        fake = Faker()
        fake.seed_instance(derive(seed, "telemetry/faker"))
        ips = tuple(dict.fromkeys(fake.ipv4_private() for _ in range(256)))
        users = tuple(dict.fromkeys(fake.user_name() for _ in range(256)))
        words = [w.lower() for w in fake.words(40, unique=True) if w.isalpha() and len(w) > 3]
        tables = tuple(dict.fromkeys(words))[:16] or ("orders",)
        return Pools(ips, users, tables)


_POOLS: dict[int, Pools] = {}


def pools(seed: int) -> Pools:
    """The pools for ``seed`` (made once per process)."""
    if seed not in _POOLS:
        _POOLS[seed] = Pools.make(seed)
    return _POOLS[seed]


def merged(template: list[Seg]) -> list[Seg]:
    """Adjacent literal strings joined, so that static text is checked as a whole."""
    out: list[Seg] = []
    for seg in template:
        if isinstance(seg, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + seg
        elif seg != "":
            out.append(seg)
    return out


def _continues(tail: str, after: str | None) -> bool:
    """Could ``tail`` be the text right after a field followed by ``after``?"""
    if after is None:  # another field follows: be conservative
        return True
    if after == "":  # the end of the line
        return False
    return after.startswith(tail) or tail.startswith(after)


def _precedes(head: str, before: str | None) -> bool:
    """Could ``head`` be the text right before a field preceded by ``before``?"""
    if before is None:
        return True
    if before == "":
        return False
    return before.endswith(head) or head.endswith(before)


@lru_cache(maxsize=65536)
def _field_may_touch(needle: str, f: Field, before: str | None, after: str | None) -> bool:
    """Whether an occurrence of ``needle`` could overlap field ``f``.

    ``before``/``after`` are the literal texts around the field (None when another field is
    adjacent, which is treated conservatively).
    """
    n = len(needle)
    if f.values:
        for v in f.values:
            if needle in v or v in needle:
                return True
            for k in range(1, n):
                head, tail = needle[:k], needle[k:]
                if v.endswith(head) and _continues(tail, after):
                    return True
                if v.startswith(tail) and _precedes(head, before):
                    return True
        return False
    alpha = f.alphabet or frozenset()
    lo, hi = f.lengths
    if set(needle) <= alpha and n <= hi:
        return True
    for k in range(1, n):
        head, tail = needle[:k], needle[k:]
        # the needle starts inside the field and continues after it
        if k <= hi and set(head) <= alpha and _continues(tail, after):
            return True
        # the needle starts before the field and ends inside it
        if n - k <= hi and set(tail) <= alpha and _precedes(head, before):
            return True
    # the whole field lies inside the needle, between what precedes and what follows it
    for i in range(1, n):
        for j in range(i + 1, min(i + hi, n - 1) + 1):
            if not set(needle[i:j]) <= alpha:
                break
            if j - i >= lo and _precedes(needle[:i], before) and _continues(needle[j:], after):
                return True
    return False


def decide(needle: str, template: list[Seg]) -> bool | None:
    """Does every line of ``template`` contain ``needle`` (True), none (False), or it depends?"""
    segs = merged(template)
    if any(isinstance(s, str) and needle in s for s in segs):
        return True
    for k, seg in enumerate(segs):
        if isinstance(seg, Field):
            before = segs[k - 1] if k > 0 else ""
            after = segs[k + 1] if k + 1 < len(segs) else ""
            b = before if isinstance(before, str) else None
            a = after if isinstance(after, str) else None
            if _field_may_touch(needle, seg, b, a):
                return None
    return False
