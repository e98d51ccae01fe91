"""Log line templates: static text and typed fields, per component kind, language and format.

A template is a list of segments: literal text, or a :class:`Field` whose value is drawn per
line from a hash of the line's identity. Every field is described by what its values can be:
a known alphabet and length (digits, hex), a finite set of values (faker-made pools) or a
structure of its own (a timestamp is a date, a separator and milliseconds; a pod name is the
component's name, a hex id and a short suffix). From that description alone :func:`reach`
says how a field can take part in an occurrence of a needle, so that a line filter can often
be decided for a whole category of lines from the template (:func:`decide`), and where it
cannot, which fields of a line must be looked at (``logscan``).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosgame.engine.rng import derive
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

DIGITS = frozenset(string.digits)
HEX = frozenset(string.digits + "abcdef")
TS = frozenset(string.digits + "-:.TZ ,")
POD_ID = frozenset("bcdfghjklmnpqrstvwxz2456789")
"""The characters of the last part of a pod name (``listings.pod_names``)."""


@dataclass(frozen=True)
class Field:
    """A variable part of a line."""

    name: str  # ts, ms, trace, ip, user, pod, sql, n (and parts: date, milli, year...)
    alphabet: frozenset[str] | None = None  # for open fields
    lengths: tuple[int, int] = (1, 32)
    values: tuple[str, ...] = ()  # for finite fields
    parts: tuple[Seg, ...] = ()  # for fields made of parts (every value is their concatenation)

    def __hash__(self) -> int:
        # computed once: fields key the caches of every search
        got: int | None = self.__dict__.get("_hash")
        if got is None:
            got = hash((self.name, self.alphabet, self.lengths, self.values, self.parts))
            object.__setattr__(self, "_hash", got)
        return got


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


def pools(sim: Simulator) -> Pools:
    """The pools of a game (made once per game, from its seed)."""
    cache = recorder(sim).cache
    got: Pools | None = cache.get("logs/pools")
    if got is None:
        got = cache["logs/pools"] = Pools.make(sim.seed)
    return got


def merged(template: Sequence[Seg]) -> list[Seg]:
    """Adjacent literal strings joined, so that static text is checked as a whole."""
    out: list[Seg] = []
    for seg in template:
        if isinstance(seg, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + seg
        elif seg != "":
            out.append(seg)
    return out


@dataclass(frozen=True)
class Reach:
    """How a segment can take part in an occurrence of a needle.

    A *state* ``p`` (1 to len(needle) - 1) says that the text before the segment ends with the
    first ``p`` characters of the needle; state 0 says that no partial match is carried in, so
    that an occurrence may only start inside the segment. ``moves`` holds the pairs ``(p, q)``
    such that, entering in state ``p``, the segment can end in state ``q`` (from 0: a partial
    match that starts inside the segment and runs to its end; from ``p`` > 0: the segment's
    whole text continues the match). ``done`` holds the states from which the segment can
    complete the needle (0: the needle lies inside the segment).
    """

    moves: frozenset[tuple[int, int]]
    done: frozenset[int]

    def then(self, other: Reach) -> Reach:
        """This segment followed by ``other``."""
        moves = {(p, r) for p, q in self.moves for q2, r in other.moves if q2 == q and q > 0}
        moves |= {(0, r) for p, r in other.moves if p == 0}
        done = set(self.done) | {p for p, q in self.moves if q > 0 and q in other.done}
        if 0 in other.done:
            done.add(0)
        return Reach(frozenset(moves), frozenset(done))


NOWHERE = Reach(frozenset(), frozenset())
"""The reach of text that can take no part in an occurrence."""


def _literal_reach(needle: str, text: str) -> Reach:
    n, m = len(needle), len(text)
    if not m:
        return through(n)
    head, tail = text[0], text[-1]
    inside = needle in text
    if head not in needle and tail not in needle and not inside:
        return NOWHERE
    moves: set[tuple[int, int]] = set()
    done: set[int] = {0} if inside else set()
    # a match carried in continues here only from where the needle holds this text's first
    # character; one starting here and running to the end ends with this text's last one
    for p in range(1, n):
        if needle[p] != head:
            continue
        rest = needle[p:]
        if m >= len(rest):
            if text.startswith(rest):
                done.add(p)
        elif rest.startswith(text):
            moves.add((p, p + m))
    for k in range(1, min(m, n - 1) + 1):
        if needle[k - 1] == tail and text.endswith(needle[:k]):
            moves.add((0, k))
    return Reach(frozenset(moves), frozenset(done))


def _values_reach(needle: str, values: Sequence[str]) -> Reach:
    n = len(needle)
    moves: set[tuple[int, int]] = set()
    done: set[int] = set()
    chars = set(needle)
    for v in values:
        if not v:
            moves.update((p, p) for p in range(1, n))
            continue
        if needle in v:
            done.add(0)
        if v[0] not in chars and v[-1] not in chars:
            continue
        for p in range(1, n):
            rest = needle[p:]
            if len(v) >= len(rest):
                if v.startswith(rest):
                    done.add(p)
            elif rest.startswith(v):
                moves.add((p, p + len(v)))
        for k in range(1, min(len(v), n - 1) + 1):
            if v.endswith(needle[:k]):
                moves.add((0, k))
    return Reach(frozenset(moves), frozenset(done))


def _open_reach(needle: str, alphabet: frozenset[str], lo: int, hi: int) -> Reach:
    n = len(needle)
    moves: set[tuple[int, int]] = set()
    done: set[int] = set()
    inside = [c in alphabet for c in needle]
    if all(inside) and n <= hi:
        done.add(0)
    for p in range(1, n):
        if all(inside[p:]) and n - p <= hi:
            done.add(p)
        for q in range(p + max(lo, 1), min(p + hi, n - 1) + 1):
            if not all(inside[p:q]):
                break
            moves.add((p, q))
    for k in range(1, min(hi, n - 1) + 1):
        if not inside[k - 1]:
            break
        moves.add((0, k))
    if lo == 0:
        moves.update((p, p) for p in range(1, n))
    return Reach(frozenset(moves), frozenset(done))


def reach(needle: str, seg: Seg, known: dict[tuple[str, Seg], Reach] | None = None) -> Reach:
    """What ``seg`` can do towards an occurrence of ``needle`` (cached in ``known``)."""
    key = (needle, seg)
    if known is not None:
        got = known.get(key)
        if got is not None:
            return got
    if isinstance(seg, str):
        out = _literal_reach(needle, seg)
    elif seg.parts:
        out = through(len(needle))
        for part in merged(seg.parts):
            out = out.then(reach(needle, part, known))
    elif seg.values:
        out = _values_reach(needle, seg.values)
    else:
        lo, hi = seg.lengths
        out = _open_reach(needle, seg.alphabet or frozenset(), lo, hi)
    if known is not None:
        known[key] = out
    return out


def through(n: int) -> Reach:
    """The reach of empty text for a needle of ``n`` characters: every state passes."""
    return Reach(frozenset((p, p) for p in range(1, n)), frozenset())


def decide(
    needle: str, template: Sequence[Seg], known: dict[tuple[str, Seg], Reach] | None = None
) -> bool | None:
    """Does every line of ``template`` contain ``needle`` (True), none (False), or it depends?"""
    segs = merged(template)
    if not needle or any(isinstance(s, str) and needle in s for s in segs):
        return True
    line = through(len(needle))
    for seg in segs:
        line = line.then(reach(needle, seg, known))
    return None if 0 in line.done else False
