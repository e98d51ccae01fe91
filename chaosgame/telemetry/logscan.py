"""Reading many log lines at once: which lines of a category contain a needle, unrendered.

Where the templates cannot decide a needle for a category (``logtemplates.decide``), the lines
themselves must be looked at. Writing each line to test it costs microseconds a line; instead
the search follows the needle through the category's template (a :class:`Plan`): literal
text moves partial matches the same way on every line, and only the fields that can take part
in a match are computed, for every line of the window at once, from the same hashes
``logsearch.render`` draws them from. A field's values come as codes into a small table (a
user name, a pod, the second of a timestamp, a latency in milliseconds), so a test such as
"starts with the rest of the needle" is made once per value and looked up per line. Trace ids,
different on every line, are matched digit by digit on their bytes.

Counts are exact: a line is counted if and only if its rendered text contains the needle
(``tests/telemetry/test_log_scan.py`` renders every line to check). Latencies are computed
with numpy; the few lines whose latency lies within rounding error of a millisecond boundary
are computed again the way ``render`` does.
"""

from __future__ import annotations

import datetime as dtm
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.scenario import units
from chaosgame.telemetry import logs
from chaosgame.telemetry.listings import pod_names
from chaosgame.telemetry.logtemplates import NOWHERE, Field, Reach, Seg, merged, reach, through
from chaosgame.telemetry.recorder import VersionMix, recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.logs import Category

Bools = NDArray[np.bool_]
Mask = Bools | bool
U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]

CHUNK = 1 << 16
"""Lines read per pass (bounds the memory a search takes)."""
ROUNDING_GUARD = 1e-9
"""Latencies this close (relative) to half a millisecond are computed as ``render`` does."""
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_HEX2 = np.frombuffer("".join(f"{b:02x}" for b in range(256)).encode(), np.uint16)
"""Each byte's two hex digits, in memory order."""
_MILLI = [f"{i:03d}" for i in range(1000)]


# ------------------------------------------------------------------------------------- plans
@dataclass(frozen=True)
class Step:
    """What one segment of a template does for a needle, as far as it can matter.

    ``field`` is empty for literal text (whose ``moves`` and ``done`` then hold exactly), or
    names the field read (``date``, ``milli``, ``trace``, ``ms``, ``n``, ``pod``, ``ip``,
    ``user``, ``sql``), whose ``moves`` and ``done`` say what its values *may* do: each is
    tested on the values themselves. ``slot`` is the field's place among the template's
    fields (its hash counter).
    """

    field: str
    slot: int
    moves: tuple[tuple[int, int], ...]
    done: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """How to find a needle in the lines of one category."""

    verdict: bool | None  # True: in every line; False: in none; None: follow the steps
    steps: tuple[Step, ...]


def segments(cat: Category) -> list[tuple[Seg, int]]:
    """The category's template as read per line: the timestamp split into its date and its
    milliseconds; each field with its hash counter (literal text: -1)."""
    out: list[tuple[Seg, int]] = []
    slot = 0

    def add(seg: Seg, where: int) -> None:
        if isinstance(seg, str):
            if not seg:
                return
            if out and isinstance(out[-1][0], str):
                out[-1] = (out[-1][0] + seg, -1)
                return
        out.append((seg, where))

    for seg in cat.template:
        if isinstance(seg, str):
            add(seg, -1)
            continue
        slot += 1
        if seg.name == "ts":
            for part in seg.parts:
                add(part, slot)
        else:
            add(seg, slot)
    return out


def plan(sim: Simulator, cat: Category, needle: str) -> Plan:
    """The plan for ``needle`` in the lines of ``cat`` (kept with the game)."""
    return plans(sim, [cat], needle)[0]


NEEDLES_KEPT = 8
"""Needles whose plans a game keeps (the most recently searched)."""


def plans(sim: Simulator, cats: Sequence[Category], needle: str) -> list[Plan]:
    """The plans for ``needle`` in the lines of each of ``cats``, kept with the game (a
    category's identity is unique within its game only)."""
    cache = recorder(sim).cache
    table: _Table = cache.setdefault("logs/segments", _Table())
    memo: OrderedDict[str, _Memo] = cache.setdefault("logs/needles", OrderedDict())
    m = memo.get(needle)
    if m is None:
        m = memo[needle] = _Memo(needle)
        while len(memo) > NEEDLES_KEPT:
            memo.popitem(last=False)
    memo.move_to_end(needle)
    known = m.by_uid
    missing = [c for c in cats if c.uid not in known]
    if missing:
        m.add(table, missing)
    return [known[c.uid] for c in cats]


class _Table:
    """Every category of a game as a row of segment numbers, so that what a needle makes of
    them is worked out once per distinct segment and once per distinct row of reaches."""

    def __init__(self) -> None:
        self.number: dict[Seg, int] = {}
        self.segs: list[Seg] = []
        self.ends: list[tuple[int, int, int]] = []  # literal text: first, last character, length
        self.row_of: dict[int, int] = {}
        self.rows: list[NDArray[np.int32]] = []
        self.layouts: dict[tuple[tuple[str, int], ...], int] = {}
        self.layout_of: list[int] = []
        self.shapes: list[list[tuple[Seg, int]]] = []
        self._matrix: NDArray[np.int32] | None = None

    def rows_for(self, cats: Sequence[Category]) -> NDArray[np.intp]:
        out = np.empty(len(cats), np.intp)
        for j, cat in enumerate(cats):
            r = self.row_of.get(cat.uid)
            if r is None:
                r = self.row_of[cat.uid] = self._add(cat)
            out[j] = r
        return out

    def _add(self, cat: Category) -> int:
        segs = segments(cat)
        row = np.full(len(segs), -1, np.int32)
        for k, (seg, _) in enumerate(segs):
            n = self.number.get(seg)
            if n is None:
                n = self.number[seg] = len(self.segs)
                self.segs.append(seg)
                text = seg if isinstance(seg, str) else ""
                self.ends.append((ord(text[0]), ord(text[-1]), len(text)) if text else (-1, -1, 0))
            row[k] = n
        layout = tuple(("" if isinstance(g, str) else g.name, slot) for g, slot in segs)
        self.layout_of.append(self.layouts.setdefault(layout, len(self.layouts)))
        self.rows.append(row)
        self.shapes.append(segs)
        self._matrix = None
        return len(self.rows) - 1

    @property
    def matrix(self) -> NDArray[np.int32]:
        """The rows, padded with -1 to the longest."""
        if self._matrix is None:
            width = max(len(r) for r in self.rows)
            self._matrix = np.full((len(self.rows), width), -1, np.int32)
            for k, r in enumerate(self.rows):
                self._matrix[k, : len(r)] = r
        return self._matrix


class _Memo:
    """What one needle makes of a game's segments (a reach each, shared by equal reaches) and
    of rows of them (a plan each)."""

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.by_uid: dict[int, Plan] = {}
        self.reach_of = np.zeros(0, np.intp)  # per segment number: its reach's index, or -1
        self.reaches: list[Reach] = [NOWHERE]
        self.interned: dict[Reach, int] = {NOWHERE: 0}
        self.parts: dict[tuple[str, Seg], Reach] = {}
        self.literal: dict[tuple[str, str, bool, int], int] = {}
        self.folds: dict[tuple[int, ...], int] = {}
        self.plans: dict[bytes, Plan] = {}

    def _intern(self, r: Reach) -> int:
        got = self.interned.get(r)
        if got is None:
            got = self.interned[r] = len(self.reaches)
            self.reaches.append(r)
        return got

    def _reach(self, table: _Table, numbers: NDArray[np.intp]) -> None:
        """Work out the reaches of segments ``numbers`` not yet known."""
        if len(self.reach_of) < len(table.segs):
            grown = np.full(len(table.segs), -1, np.intp)
            grown[: len(self.reach_of)] = self.reach_of
            self.reach_of = grown
        todo = numbers[self.reach_of[numbers] < 0]
        if not todo.size:
            return
        for n in todo.tolist():
            seg = table.segs[n]
            self.reach_of[n] = self._text(seg) if isinstance(seg, str) else self._field(seg)

    def _text(self, text: str) -> int:
        """The reach of literal text (most of a template's text, for most needles, none)."""
        needle = self.needle
        inside = needle in text
        if not inside and not (text and (text[0] in needle or text[-1] in needle)):
            return 0
        # what text does depends only on its ends (as long as the needle), on whether it holds
        # the needle, and on its length when it is shorter than the needle
        edge = len(needle) - 1
        key = (text[:edge], text[len(text) - edge :], inside, min(len(text), len(needle)))
        got = self.literal.get(key)
        if got is None:
            got = self.literal[key] = self._intern(reach(needle, text, None))
        return got

    def _field(self, f: Field) -> int:
        """The reach of a field: of its parts in turn when it has parts (pod names differ
        only by their component's name, which most needles do not touch)."""
        if not f.parts:
            return self._intern(reach(self.needle, f, self.parts))
        parts = tuple(
            self._text(p) if isinstance(p, str) else self._field(p) for p in merged(f.parts)
        )
        got = self.folds.get(parts)
        if got is None:
            r = through(len(self.needle))
            for k in parts:
                r = r.then(self.reaches[k])
            got = self.folds[parts] = self._intern(r)
        return got

    def add(self, table: _Table, cats: Sequence[Category]) -> None:
        """Make the plans of ``cats``."""
        rows = table.rows_for(cats)
        numbers = table.matrix[rows]
        present = np.unique(numbers)
        self._reach(table, present[present >= 0].astype(np.intp))
        reached = np.where(numbers >= 0, self.reach_of[np.maximum(numbers, 0)], -1)
        layout = np.array([table.layout_of[r] for r in rows.tolist()], np.intp)
        keys = np.concatenate([layout[:, None], reached], axis=1)
        distinct, first, which = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        made = []
        for k in range(len(distinct)):
            key = distinct[k].tobytes()
            got = self.plans.get(key)
            if got is None:
                segs = table.shapes[int(rows[first[k]])]
                reaches = [self.reaches[int(i)] for i in distinct[k][1 : len(segs) + 1]]
                got = self.plans[key] = _plan(segs, reaches, self.needle)
            made.append(got)
        for cat, k in zip(cats, np.ravel(which).tolist(), strict=True):
            self.by_uid[cat.uid] = made[k]


def _plan(segs: list[tuple[Seg, int]], reaches: list[Reach], needle: str) -> Plan:
    if not needle or any(
        isinstance(s, str) and 0 in r.done for (s, _), r in zip(segs, reaches, strict=True)
    ):
        return Plan(True, ())
    alive: list[set[int]] = [set()]
    for r in reaches:
        alive.append({q for p, q in r.moves if p == 0 or p in alive[-1]})
    useful: list[set[int]] = [set() for _ in range(len(segs) + 1)]
    for i in range(len(segs) - 1, -1, -1):
        r = reaches[i]
        after = useful[i + 1]
        useful[i] = {p for p in r.done if p} | {p for p, q in r.moves if p and q in after}
    live = [a & u for a, u in zip(alive, useful, strict=True)]
    steps = []
    for i, ((seg, slot), r) in enumerate(zip(segs, reaches, strict=True)):
        ins, outs = live[i], live[i + 1]
        moves = tuple(sorted((p, q) for p, q in r.moves if (p == 0 or p in ins) and q in outs))
        done = tuple(sorted(p for p in r.done if p == 0 or p in ins))
        if not moves and not done and not ins:
            continue
        name = "" if isinstance(seg, str) else seg.name
        steps.append(Step(name, slot, moves, done))
    if not any(s.done for s in steps):
        return Plan(False, ())
    return Plan(None, tuple(steps))


# ----------------------------------------------------------------------------------- columns
class Column:
    """A field's value on every line of a batch, and tests on it."""

    def test(self, fn: Callable[[str], bool], key: tuple[str, str] = ("", "")) -> Mask:
        """Which lines' values pass ``fn`` (tested once per distinct value; ``key`` names the
        test where its results may be kept)."""
        raise NotImplementedError


class Coded(Column):
    """Values as codes into a table of strings, computed only for lines that could pass.

    ``ranges`` gives, per row, the part of the table its values come from; ``codes(lines)``
    computes the codes of some lines (all when None).
    """

    def __init__(
        self,
        table: Sequence[str],
        codes: Callable[[NDArray[np.intp] | None], NDArray[np.intp]],
        row: NDArray[np.intp],
        ranges: tuple[NDArray[np.intp], NDArray[np.intp]] | None = None,
        memo: dict[tuple[int, str, str], Bools] | None = None,
    ) -> None:
        self.table = table
        self.codes = codes
        self.row = row
        self.ranges = ranges
        self.memo = memo
        self._all: NDArray[np.intp] | None = None

    def test(self, fn: Callable[[str], bool], key: tuple[str, str] = ("", "")) -> Mask:
        memo = self.memo if key[0] else None
        lut = memo.get((id(self.table), *key)) if memo is not None else None
        if lut is None:
            lut = np.fromiter((fn(v) for v in self.table), np.bool_, len(self.table))
            if memo is not None:
                memo[(id(self.table), *key)] = lut
        if not lut.any():
            return False
        if lut.all():
            return True
        if self.ranges is not None and self._all is None:
            first, end = self.ranges
            seen = np.concatenate([[0], np.cumsum(lut)])
            rows = seen[end] > seen[first]
            if not rows.any():
                return False
            wanted = rows[self.row]
            if wanted.sum() * 2 < wanted.size:
                some = np.flatnonzero(wanted)
                out = np.zeros(self.row.size, np.bool_)
                out[some] = lut[self.codes(some)]
                return out
        if self._all is None:
            self._all = self.codes(None)
        got: Bools = lut[self._all]
        return got


class Numbers(Column):
    """Values that are non-negative integers, written in decimal, at most ``top``; computed
    only when some number up to ``top`` could pass."""

    def __init__(self, values: Callable[[], I64], top: int) -> None:
        self.values = values
        self.top = top
        self._present: tuple[I64, NDArray[np.intp]] | None = None

    def _distinct(self) -> tuple[I64, NDArray[np.intp]]:
        if self._present is None:
            values = self.values()
            top = int(values.max()) if values.size else 0
            if top < (1 << 22) and not (values.size and int(values.min()) < 0):
                seen = np.flatnonzero(np.bincount(values, minlength=1)).astype(np.int64)
                where = np.zeros(top + 1, np.intp)
                where[seen] = np.arange(seen.size)
                self._present = (seen, where[values])
            else:
                seen, inverse = np.unique(values, return_inverse=True)
                self._present = (seen.astype(np.int64), inverse.astype(np.intp))
        return self._present

    def test(self, fn: Callable[[str], bool], key: tuple[str, str] = ("", "")) -> Mask:
        small = self._present is None and self.top < 20_000
        if small and not any(fn(str(v)) for v in range(self.top + 1)):
            return False
        seen, codes = self._distinct()
        lut = np.fromiter((fn(str(int(v))) for v in seen), np.bool_, seen.size)
        if not lut.any():
            return False
        if lut.all():
            return True
        out: Bools = lut[codes]
        return out


class Traces(Column):
    """Trace ids: two 64-bit words per line, written ``f"{a:016x}{b:016x}"``."""

    def __init__(self, a: U64, b: U64) -> None:
        self.a = a
        self.b = b
        self._text: NDArray[Any] | None = None
        self._bytes: NDArray[np.uint8] | None = None

    def text(self) -> NDArray[Any]:
        """The ids as 32-byte strings."""
        if self._text is None:
            self._text = hex32(self.a, self.b)
        return self._text

    def test(self, fn: Callable[[str], bool], key: tuple[str, str] = ("", "")) -> Mask:
        return np.fromiter((fn(v.decode()) for v in self.text()), np.bool_, self.a.size)

    def contains(self, digits: str) -> Bools:
        """Which ids contain ``digits`` (lowercase hex), read nibble by nibble from the words:
        at an even offset from the bytes themselves, at an odd one from the bytes shifted by
        half a byte."""
        if self._bytes is None:
            raw = np.empty((self.a.size, 2), np.uint64)
            raw[:, 0] = self.a
            raw[:, 1] = self.b
            raw.byteswap(inplace=True)
            self._bytes = raw.view(np.uint8)
        even = self._bytes
        odd = np.empty_like(even)
        odd[:, :15] = (even[:, :15] << 4) | (even[:, 1:] >> 4)
        odd[:, 15] = even[:, 15] << 4
        m = len(digits)
        found = _nibbles_at(even, digits, 16 - (m - 1) // 2)
        if m < 32:
            found |= _nibbles_at(odd, digits, 16 - m // 2)
        return found


def _nibbles_at(data: NDArray[np.uint8], digits: str, starts: int) -> Bools:
    """Rows of ``data`` (16 bytes, two hex digits a byte) holding ``digits`` from the high
    half of one of their first ``starts`` bytes."""
    nib = [int(c, 16) for c in digits]
    size = (len(nib) + 1) // 2
    if starts <= 0:
        return np.zeros(len(data), np.bool_)
    hit = np.zeros((len(data), 16), np.bool_)
    for k in range(size):
        window = data[:, k : k + starts]
        if 2 * k + 1 < len(nib):
            eq = window == np.uint8(nib[2 * k] << 4 | nib[2 * k + 1])
        else:
            eq = (window >> 4) == np.uint8(nib[2 * k])
        if k:
            hit[:, :starts] &= eq
        else:
            hit[:, :starts] = eq
    words = hit.view(np.uint64)  # any of 16 flags: two words not zero
    out: Bools = (words[:, 0] | words[:, 1]) != 0
    return out


_HEXDIGITS = frozenset("0123456789abcdef")


def _test(col: Column, kind: str, part: str) -> Mask:
    """``kind``: in (the value contains ``part``), start, end or equal."""
    if isinstance(col, Traces):
        if kind == "in" and set(part) <= _HEXDIGITS and 0 < len(part) <= 32:
            return col.contains(part)
        data, raw = col.text(), part.encode()
        if kind == "in":
            found: Bools = np.char.find(data, raw) >= 0
            return found
        if kind == "start":
            out: Bools = np.char.startswith(data, raw)
            return out
        if kind == "end":
            out = np.char.endswith(data, raw)
            return out
        eq: Bools = data == raw
        return eq
    fns: dict[str, Callable[[str], bool]] = {
        "in": lambda v: part in v,
        "start": lambda v: v.startswith(part),
        "end": lambda v: v.endswith(part),
        "equal": lambda v: v == part,
    }
    return col.test(fns[kind], (kind, part))


def both(a: Mask, b: Mask) -> Mask:
    """Lines in both masks."""
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    out: Bools = a & b
    return out


def _or(a: Mask, b: Mask) -> Mask:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    out: Bools = a | b
    return out


def run(steps: Sequence[Step], needle: str, column: Callable[[Step], Column]) -> Mask:
    """Which lines contain ``needle``, following a plan's steps over its columns."""
    state: dict[int, Mask] = {}
    hit: Mask = False
    for st in steps:
        new: dict[int, Mask] = {}
        if not st.field:
            for p in st.done:
                hit = _or(hit, True if p == 0 else state.get(p, False))
            for p, q in st.moves:
                new[q] = _or(new.get(q, False), True if p == 0 else state.get(p, False))
        else:
            col: Column | None = None
            for p in st.done:
                m: Mask = True if p == 0 else state.get(p, False)
                if m is False:
                    continue
                col = col or column(st)
                t = _test(col, "in", needle) if p == 0 else _test(col, "start", needle[p:])
                hit = _or(hit, both(m, t))
            for p, q in st.moves:
                m = True if p == 0 else state.get(p, False)
                if m is False:
                    continue
                col = col or column(st)
                t = _test(col, "end", needle[:q]) if p == 0 else _test(col, "equal", needle[p:q])
                new[q] = _or(new.get(q, False), both(m, t))
        state = new
        if hit is True:
            break
    return hit


# ------------------------------------------------------------------------------ line values
def mix(x: U64) -> U64:
    """splitmix64 over an array (the same function as ``logtemplates.mix``), in place."""
    with np.errstate(over="ignore"):
        x += GOLDEN
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def hex32(a: U64, b: U64) -> NDArray[Any]:
    """``f"{a:016x}{b:016x}"`` for every pair, as 32-byte strings."""
    raw = np.empty((a.size, 2), np.uint64)
    raw[:, 0] = a
    raw[:, 1] = b
    raw.byteswap(inplace=True)  # most significant byte first
    out: NDArray[Any] = _HEX2[raw.view(np.uint8)].view("S32").reshape(a.size)
    return out


@dataclass
class Lines:
    """A batch of lines: row (of the rows being read), tick index and number in the tick."""

    row: NDArray[np.intp]
    tick: NDArray[np.intp]
    n: U64


def batches(counts: I64, first_tick: int = 0, size: int = CHUNK) -> Iterator[Lines]:
    """The lines of ``counts[row, tick]`` in batches of about ``size`` lines, row by row and
    tick by tick (ticks numbered from ``first_tick``)."""
    flat = counts.ravel()
    ticks = counts.shape[1]
    ends = np.cumsum(flat)
    cell = 0
    cells = flat.size
    while cell < cells:
        base = int(ends[cell - 1]) if cell else 0
        stop = int(np.searchsorted(ends, base + size, side="right"))
        stop = min(max(stop, cell + 1), cells)
        part = flat[cell:stop]
        total = int(part.sum())
        if total:
            which = np.repeat(np.arange(cell, stop), part)
            first = np.cumsum(part) - part
            n = np.arange(total, dtype=np.int64) - np.repeat(first, part)
            yield Lines(which // ticks, which % ticks + first_tick, n.astype(np.uint64))
        cell = stop


@dataclass
class Pods:
    """Which pods write a window's lines: a table of names, per component and tick where the
    stable version's pods start in it, how many there are, where the new version's start and
    how many (``spans``, ``[comps, ticks, 4]``), the share of lines the new version's pods
    write (of all lines, and of error lines) and per component its part of the table."""

    table: list[str]
    spans: NDArray[np.intp]
    p_ok: NDArray[np.float64]
    p_err: NDArray[np.float64]
    part: NDArray[np.intp]


class Window:
    """Facts about ticks ``[lo, lo + ticks)`` shared by every reader of one search."""

    def __init__(self, sim: Simulator, lo: int, ticks: int) -> None:
        self.sim = sim
        self.lo = lo
        self.ticks = ticks
        self._pods: Pods | None = None
        self._clocks: tuple[NDArray[np.float64], NDArray[np.bool_]] | None = None
        self._dates: tuple[int, list[str]] | None = None
        self.luts: dict[tuple[int, str, str], Bools] = {}
        """Tests of needle parts on the values of tables that live as long as the window."""

    def pods(self) -> Pods:
        if self._pods is None:
            # kept with the game for the last windows read: past ticks never change
            kept: OrderedDict[tuple[int, int], Pods] = recorder(self.sim).cache.setdefault(
                "logs/pod windows", OrderedDict()
            )
            key = (self.lo, self.ticks)
            got = kept.get(key)
            if got is None:
                got = kept[key] = _pods(self.sim, self.lo, self.ticks)
                while len(kept) > 4:
                    kept.popitem(last=False)
            self._pods = got
        return self._pods

    def clocks(self) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Per component: its clock's skew, and whether its dates have a ``T`` (or a space)."""
        if self._clocks is None:
            comps = self.sim.scenario.components
            skew = np.array([c.telemetry.clock_skew for c in comps], np.float64)
            iso = np.array(
                [
                    not (c.telemetry.log_format == "text" and c.telemetry.language in _NO_ZONE)
                    for c in comps
                ],
                np.bool_,
            )
            self._clocks = (skew, iso)
        return self._clocks

    def dates(self) -> tuple[int, list[str]]:
        """The first second any line of the window can show, and the dates of every second
        from then on to the last: ISO with a ``T``, then with a space."""
        if self._dates is None:
            skew, _ = self.clocks()
            dt = self.sim.dt
            first = math.floor(self.lo * dt + float(skew.min(initial=0.0))) - 1
            last = math.floor((self.lo + self.ticks) * dt + float(skew.max(initial=0.0))) + 1
            self._dates = (first, _dates(self.sim, first, last - first + 1))
        return self._dates


def _pods(sim: Simulator, lo: int, ticks: int) -> Pods:
    """The pods of every component over ticks ``[lo, lo + ticks)``, as ``logsearch`` picks
    them for a line (``Recorder.mix``, ``listings.pod_names``)."""
    rec = recorder(sim)
    comps = sim.world.n
    replicas = sim.history.comp["replicas"][lo : lo + ticks].astype(np.float64)
    ready = np.maximum(np.round(replicas), 1).astype(np.int64).T
    top = ready.max(1, initial=1).tolist()
    spans = np.zeros((comps, ticks, 4), np.intp)
    spans[:, :, 1] = ready
    p_ok = np.zeros((comps, ticks))
    p_err = np.zeros((comps, ticks))
    part = np.zeros((comps, 2), np.intp)
    rollouts: dict[int, list[tuple[int, VersionMix]]] = {}
    for t in range(lo, min(lo + ticks, len(rec.mixes))):
        for i, m in rec.mixes[t].items():
            rollouts.setdefault(i, []).append((t - lo, m))
    errors = sim.history.comp["errors"]
    table: list[str] = []
    for i in range(comps):
        part[i, 0] = len(table)
        base = rec.base.get(i, [])
        moves = rollouts.get(i)
        if len(base) == 1 and base[0][0] <= lo and moves is None:
            # the usual case: one stable version all along
            spans[i, :, 0] = len(table)
            table.extend(pod_table(sim, i, base[0][1], top[i])[: top[i]])
            part[i, 1] = len(table)
            continue
        # the stable version at each tick, as ``Recorder.mix`` finds it
        stable = np.zeros(ticks, np.intp)
        versions = ["v1"]
        for start, version in base:
            versions.append(version)
            stable[max(start - lo, 0) :] = len(versions) - 1
        need: dict[str, int] = {}
        for v in range(len(versions)):
            on = stable == v
            if on.any():
                need[versions[v]] = max(need.get(versions[v], 0), int(ready[i][on].max()))
        patches = []
        for t, m in moves or []:
            if m.new is None:  # pragma: no cover - a mix is only recorded during a rollout
                continue
            r = int(ready[i, t])
            on_new = int(round(m.weight * r))
            patches.append((t, m, m.new, max(r - on_new, 1), max(on_new, 1)))
            need[m.stable] = max(need.get(m.stable, 0), max(r - on_new, 1))
            need[m.new] = max(need.get(m.new, 0), max(on_new, 1))
        where: dict[str, int] = {}
        for version, count in need.items():
            where[version] = len(table)
            table.extend(pod_table(sim, i, version, count)[:count])
        part[i, 1] = len(table)
        firsts = np.array([where.get(v, 0) for v in versions], np.intp)
        spans[i, :, 0] = firsts[stable]
        for t, m, new, n_stable, n_new in patches:
            spans[i, t] = (where[m.stable], n_stable, where[new], n_new)
            if m.weight > 0:
                p_ok[i, t] = m.weight
                err = float(errors[lo + t, i])
                e_new = max(err + (1 - m.weight) * m.excess, 0.0)
                e_old = max(err - m.weight * m.excess, 0.0)
                p_err[i, t] = (
                    m.weight * e_new / max(m.weight * e_new + (1 - m.weight) * e_old, 1e-12)
                )
    return Pods(table, spans, p_ok, p_err, part)


class Reader:
    """Field values of the lines of some categories over ticks ``[lo, lo + ticks)``."""

    def __init__(
        self,
        sim: Simulator,
        cats: Sequence[Category],
        lo: int,
        ticks: int,
        window: Window | None = None,
    ) -> None:
        self.sim = sim
        self.cats = cats
        self.lo = lo
        self.ticks = ticks
        self.window = window or Window(sim, lo, ticks)
        self.uid = np.array([c.uid for c in cats], dtype=np.uint64)
        self._rows: dict[str, Any] = {}

    # -- per row and tick facts, computed once for the rows read
    def _per_row(self, what: str, make: Callable[[], Any]) -> Any:
        got = self._rows.get(what)
        if got is None:
            got = self._rows[what] = make()
        return got

    def latency_params(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp], NDArray[np.int8]]:
        return self._per_row("latency", self._latency_params)  # type: ignore[no-any-return]

    def _latency_params(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp], NDArray[np.int8]]:
        """Mean and floor latency per tick of each (journey, component) the rows need
        (``[keys, ticks]``), each row's key, and each row's kind of latency."""
        sim, lo, hi = self.sim, self.lo, self.lo + self.ticks
        c, cls = sim.history.comp, sim.history.cls
        keys: dict[tuple[int, int, int], int] = {}
        row_key = np.array(
            [keys.setdefault((cat.journey, cat.tenant, cat.comp), len(keys)) for cat in self.cats],
            np.intp,
        )
        mean = np.empty((len(keys), self.ticks))
        floor = np.empty((len(keys), self.ticks))
        journeys: dict[tuple[int, int], tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        for (j, t, i), k in keys.items():
            if j >= 0:
                if (j, t) not in journeys:
                    w = sim.world
                    mine = w.class_journey == j
                    if t >= 0:  # lines of one tenant: that tenant's latency
                        mine &= w.class_tenant == t
                    ks = np.flatnonzero(mine)
                    o = cls["offered"][lo:hi][:, ks, :].astype(np.float64)
                    wgt = o / np.maximum(o.sum(1), 1e-12)[:, None, :]
                    journeys[(j, t)] = (
                        (cls["latency"][lo:hi][:, ks, :] * wgt).sum(1),
                        (cls["floor"][lo:hi][:, ks, :] * wgt).sum(1),
                    )
                m, f = journeys[(j, t)]
                mean[k], floor[k] = m[:, i], f[:, i]
            else:
                mean[k] = c["latency"][lo:hi, i]
                floor[k] = c["floor"][lo:hi, i]
        kinds = {"slow": 1, "db_slow": 2, "ok": 3}
        kind = np.array([kinds.get(cat.kind, 0) for cat in self.cats], np.int8)
        return mean, floor, row_key, kind

    def number_params(self) -> tuple[I64, I64, I64, NDArray[np.intp]]:
        return self._per_row("number", self._number_params)  # type: ignore[no-any-return]

    def _number_params(self) -> tuple[I64, I64, I64, NDArray[np.intp]]:
        """Per row the modulus of ``1 + h % m`` (0: none); per tick the value on lines whose
        hash is odd and even, for each distinct source of values (``[keys, ticks]``); and
        each row's key."""
        sim, lo, hi = self.sim, self.lo, self.lo + self.ticks
        c = sim.history.comp
        modulus = np.zeros(len(self.cats), np.int64)
        keys: dict[tuple[str, int], int] = {("none", 0): 0}
        sources: list[tuple[I64 | int, I64 | int]] = [(0, 0)]
        row_key = np.zeros(len(self.cats), np.intp)
        for r, cat in enumerate(self.cats):
            kind = cat.kind
            if kind in logs.RETRY_KINDS:
                modulus[r] = max(int(sim.world.retries[cat.edge]), 1)
                continue
            if kind == "ok":
                modulus[r] = 200
                continue
            key = (kind, cat.comp) if kind in ("repl", "qlag") else ("fixed", cat.uid % 380)
            if key not in keys:
                keys[key] = len(sources)
                if kind == "repl":
                    lag = _ints(c["replication_lag"][lo:hi, cat.comp])
                    sources.append((lag, lag))
                elif kind == "qlag":
                    sources.append(
                        (
                            _ints(c["consumer_lag"][lo:hi, cat.comp]),
                            _ints(c["backlog"][lo:hi, cat.comp]),
                        )
                    )
                else:
                    sources.append((20 + cat.uid % 380, 20 + cat.uid % 380))
            row_key[r] = keys[key]
        odd = np.zeros((len(sources), self.ticks), np.int64)
        even = np.zeros((len(sources), self.ticks), np.int64)
        for k, (a, b) in enumerate(sources):
            odd[k], even[k] = a, b
        return modulus, odd, even, row_key

    def pod_params(self) -> tuple[Pods, NDArray[np.intp], NDArray[np.bool_]]:
        """The window's pods, and per row its component and whether it is an error line."""
        return self._per_row(  # type: ignore[no-any-return]
            "pods",
            lambda: (
                self.window.pods(),
                np.array([c.comp for c in self.cats], np.intp),
                np.array([c.level == "error" for c in self.cats], np.bool_),
            ),
        )

    def values_params(self, slot: int) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        return self._per_row(f"values/{slot}", lambda: self._values_params(slot))  # type: ignore[no-any-return]

    def _values_params(self, slot: int) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        table: list[str] = []
        at: dict[tuple[str, ...], int] = {}
        start = np.zeros(len(self.cats), np.intp)
        size = np.zeros(len(self.cats), np.intp)
        for r, cat in enumerate(self.cats):
            f = [s for s in cat.template if isinstance(s, Field)][slot - 1]
            if f.values not in at:
                at[f.values] = len(table)
                table.extend(f.values)
            start[r], size[r] = at[f.values], len(f.values)
        return table, start, size

    def stamp_params(self) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        return self._per_row("stamp", self._stamp_params)  # type: ignore[no-any-return]

    def _stamp_params(self) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Per row: the clock skew and whether the date has a ``T`` (ISO) or a space."""
        skew, iso = self.window.clocks()
        comp = np.array([c.comp for c in self.cats], np.intp)
        return skew[comp], iso[comp]

    # -- one batch of lines
    def columns(self, lines: Lines) -> Callable[[Step], Column]:
        """The columns of a batch, computed the first time a step asks for them."""
        sim = self.sim
        line: list[U64] = []
        hashes: dict[int, U64] = {}
        made: dict[tuple[str, int], Column] = {}
        shown: list[NDArray[np.float64]] = []

        def h() -> U64:
            """Each line's hash (``logsearch.line_hash``)."""
            if not line:
                tick = lines.tick.astype(np.uint64) + np.uint64(self.lo)
                x = mix((tick << np.uint64(24)) + lines.n)
                x ^= self.uid[lines.row]
                line.append(mix(x))
            return line[0]

        def field_hash(slot: int) -> U64:
            got = hashes.get(slot)
            if got is None:
                got = hashes[slot] = mix(h() + np.uint64(slot))
            return got

        def when() -> NDArray[np.float64]:
            if not shown:
                skew, _ = self.stamp_params()
                true_t = (lines.tick + self.lo).astype(np.float64) * sim.dt + (
                    h() & np.uint64(0xFFFFFF)
                ).astype(np.float64) / float(1 << 24) * sim.dt
                shown.append(true_t + skew[lines.row])
            return shown[0]

        def column(st: Step) -> Column:
            key = (st.field, st.slot)
            got = made.get(key)
            if got is None:
                got = made[key] = self._column(st, lines, h, field_hash, when)
            return got

        return column

    def _column(
        self,
        st: Step,
        lines: Lines,
        h: Callable[[], U64],
        field_hash: Callable[[int], U64],
        when: Callable[[], NDArray[np.float64]],
    ) -> Column:
        name = st.field
        if name == "milli":

            def milli(_: NDArray[np.intp] | None) -> NDArray[np.intp]:
                shown = when()
                out: NDArray[np.intp] = np.minimum(
                    ((shown - np.floor(shown)) * 1000).astype(np.intp), 999
                )
                return out

            return Coded(_MILLI, milli, lines.row, memo=self.window.luts)
        if name == "date":
            _, iso = self.stamp_params()
            first, table = self.window.dates()
            span = len(table) // 2

            def date(_: NDArray[np.intp] | None) -> NDArray[np.intp]:
                out: NDArray[np.intp] = (np.floor(when()) - first).astype(np.intp)
                out[~iso[lines.row]] += span
                return out

            return Coded(table, date, lines.row, memo=self.window.luts)

        def hashed(some: NDArray[np.intp] | None) -> U64:
            """The field's hash on all lines or on some."""
            if some is None:
                return field_hash(st.slot)
            return mix(h()[some] + np.uint64(st.slot))

        if name == "trace":
            x = field_hash(st.slot)
            return Traces(mix(x.copy()), mix(x ^ np.uint64(0x5A5A)))
        if name == "pod":
            pods, comp, error = self.pod_params()

            def chosen_pods(some: NDArray[np.intp] | None) -> NDArray[np.intp]:
                x = hashed(some)
                row = lines.row if some is None else lines.row[some]
                tick = lines.tick if some is None else lines.tick[some]
                at = comp[row]
                span = pods.spans[at, tick]
                share = np.where(error[row], pods.p_err[at, tick], pods.p_ok[at, tick])
                draw = ((x >> np.uint64(20)) & np.uint64(0xFFFF)).astype(np.float64) / 65536.0
                new = (draw < share) & (span[:, 3] > 0)
                start = np.where(new, span[:, 2], span[:, 0])
                size = np.where(new, span[:, 3], span[:, 1]).astype(np.uint64)
                out: NDArray[np.intp] = start + ((x >> np.uint64(40)) % size).astype(np.intp)
                return out

            ranges = (pods.part[comp, 0], pods.part[comp, 1])
            return Coded(pods.table, chosen_pods, lines.row, ranges, self.window.luts)
        if name == "ms":
            return Numbers(
                lambda: self._milliseconds(lines, field_hash(st.slot)), self._ms_top(lines)
            )
        if name == "n":
            modulus, odd, even, source = self.number_params()

            def numbers() -> I64:
                x = field_hash(st.slot)
                m = modulus[lines.row]
                k = source[lines.row]
                fixed = np.where(
                    (x & np.uint64(1)).astype(np.bool_), odd[k, lines.tick], even[k, lines.tick]
                )
                drawn = (x % np.maximum(m, 1).astype(np.uint64)).astype(np.int64) + 1
                out: I64 = np.where(m > 0, drawn, fixed)
                return out

            top = max(
                int(modulus.max(initial=0)), int(odd.max(initial=0)), int(even.max(initial=0))
            )
            if min(int(odd.min(initial=0)), int(even.min(initial=0))) < 0:
                top = 1 << 62  # no bound worth testing
            return Numbers(numbers, top)
        table, start, size = self.values_params(st.slot)

        def chosen(some: NDArray[np.intp] | None) -> NDArray[np.intp]:
            row = lines.row if some is None else lines.row[some]
            idx = hashed(some) % size[row].astype(np.uint64)
            out: NDArray[np.intp] = start[row] + idx.astype(np.intp)
            return out

        return Coded(table, chosen, lines.row, (start, start + size), self.window.luts)

    def _ms_top(self, lines: Lines) -> int:
        """A bound on the milliseconds any line shows (``-log(u)`` of a 53-bit ``u`` is at
        most 37)."""

        def top() -> int:
            mean, floor, _, _ = self.latency_params()
            spread = np.maximum(mean - floor, 1e-6)
            base = np.maximum(floor, max(logs.SLOW, logs.DB_SLOW))
            worst = float((base + spread * 37.5).max(initial=0.0))
            return int(worst * 1000) + 2 if math.isfinite(worst) else 1 << 62

        got: int = self._per_row("ms top", top)
        return got

    def _milliseconds(self, lines: Lines, x: U64) -> I64:
        """``max(1, round(latency * 1000))`` of every line, as ``render`` writes it."""
        mean, floor, key, kind = self.latency_params()
        at = key[lines.row]
        mu = mean[at, lines.tick]
        lo_ = floor[at, lines.tick]
        spread = np.maximum(mu - lo_, 1e-6)
        u = ((x >> np.uint64(11)) + np.uint64(1)).astype(np.float64) / float(1 << 53)
        tail = spread * -np.log(u)
        k = kind[lines.row]
        lat = np.where(k == 1, logs.SLOW + tail, np.where(k == 2, logs.DB_SLOW + tail, lo_ + tail))
        lat = np.where(k == 3, np.minimum(lat, logs.SLOW), lat)
        scaled = lat * 1000
        out: I64 = np.maximum(np.rint(scaled), 1).astype(np.int64)
        # where the last bits of a logarithm could move the rounding, compute as render does
        frac = scaled - np.floor(scaled)
        close = np.flatnonzero(np.abs(frac - 0.5) < ROUNDING_GUARD * np.maximum(scaled, 1.0))
        if close.size:
            from chaosgame.telemetry.logsearch import milliseconds

            for j in close:
                cat = self.cats[int(lines.row[j])]
                out[j] = milliseconds(self.sim, cat, self.lo + int(lines.tick[j]), int(x[j]))
        return out


def _ints(a: NDArray[Any]) -> I64:
    """``int(float(v))`` of every value (truncation towards zero)."""
    out: I64 = np.trunc(a.astype(np.float64)).astype(np.int64)
    return out


_NO_ZONE = ("java", "python")
"""Languages whose text logs write local dates with a space and no ``Z``
(``logshapes.stamp``)."""


def _dates(sim: Simulator, first: int, span: int) -> list[str]:
    """Dates to the second from ``first`` on (ISO with ``T``, then with a space)."""
    start = units.clock_start(sim.scenario.clock_start)
    days = [start + dtm.timedelta(seconds=first + s) for s in range(span)]
    iso = [d.strftime("%Y-%m-%dT%H:%M:%S") for d in days]
    return iso + [d.replace("T", " ") for d in iso]


def pod_table(sim: Simulator, i: int, version: str, count: int) -> list[str]:
    """The first ``count`` pod names of component ``i`` on ``version`` (kept with the game)."""
    cache: dict[tuple[int, str], list[str]] = recorder(sim).cache.setdefault("logs/pods", {})
    got = cache.get((i, version))
    if got is None or len(got) < count:
        got = cache[(i, version)] = pod_names(sim, i, version, max(count, 8))
    return got
