"""Rendering log lines on demand and searching them without rendering what is not shown.

A search counts the lines that pass its filters exactly, and shows one page of them, newest
first. A plain filter (``|=``, ``!=``) is decided for a whole category of lines by its
template where it can be (``logtemplates.decide``); where it cannot, the category's lines are
read in bulk without being rendered (``logscan``). Regular expressions (RE2, linear time:
``regex``) are tested on rendered lines, so they read one by one the lines of the categories
they select, except the categories whose templates cannot hold a literal every match needs
(``regex.required``: ``timeout|refused`` skips every category without either word).

A search has a :class:`~chaosgame.telemetry.budget.Budget`. When the lines it must read fit in
it, the whole window is searched; otherwise it reads from the newest lines back, block by block,
until the budget is spent, and says where it stopped (``Found.start``). Between chunks it asks
the budget whether it was cancelled.
"""

from __future__ import annotations

import datetime as dtm
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from chaosgame.scenario import units
from chaosgame.telemetry import logs, regex
from chaosgame.telemetry.budget import Budget
from chaosgame.telemetry.logscan import (
    Lines,
    Mask,
    Plan,
    Reader,
    Window,
    batches,
    both,
    plan,
    plans,
    pod_table,
    run,
)
from chaosgame.telemetry.logtemplates import Field, mix
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.logs import Category

MASK64 = (1 << 64) - 1
RENDER_BLOCK = 4096
"""Lines written out between two looks at the budget (and at the stop flag)."""
READ_BLOCK = 1 << 18
"""Lines read in bulk between two looks at the budget, when the window does not fit in it."""


class Found(NamedTuple):
    """What a search found: the exact count of matching lines in the ticks it searched, the
    lines there, one page newest first, and the first tick searched (0: the whole window)."""

    matched: int
    scanned: int
    page: list[tuple[float, Category, str]]
    start: int


@dataclass(frozen=True)
class Filter:
    op: str  # |= != |~ !~
    value: str
    pos: int

    @property
    def plain(self) -> bool:
        return self.op in ("|=", "!=")

    def plan(self, sim: Simulator, cat: Category) -> Plan | None:
        """How a plain filter's needle is found in ``cat``'s lines (None for a regex)."""
        return plan(sim, cat, self.value) if self.plain else None

    def decide(self, sim: Simulator, cat: Category) -> bool | None:
        """True: every line passes; False: none does; None: each line must be read."""
        p = self.plan(sim, cat)
        if p is None or p.verdict is None:
            return None
        return p.verdict if self.op == "|=" else not p.verdict

    def test(self, text: str) -> bool:
        if self.op == "|=":
            return self.value in text
        if self.op == "!=":
            return self.value not in text
        found = regex.compile(self.value).search(text)
        return found if self.op == "|~" else not found

    def possible(self, sim: Simulator, cats: Sequence[Category]) -> list[bool] | None:
        """For a regular expression: per category, whether any of its lines could match (its
        templates can hold a literal every match of one alternative contains); None when that
        is not known (a plain filter, or a pattern without such literals)."""
        if self.plain:
            return None
        literals = regex.required(self.value)
        if literals is None:
            return None
        each = [plans(sim, cats, lit) for lit in dict.fromkeys(literals)]
        return [any(p[r].verdict is not False for p in each) for r in range(len(cats))]

    def lines(self, texts: Sequence[str]) -> NDArray[np.bool_]:
        """Which of ``texts`` pass this filter (a regular expression tests them all at once)."""
        if self.plain:
            return np.array([self.test(t) for t in texts], np.bool_)
        found = regex.compile(self.value).lines(texts)
        return found if self.op == "|~" else ~found


def _clock(sim: Simulator) -> dtm.datetime:
    return units.clock_start(sim.scenario.clock_start)


def line_hash(cat: Category, tick: int, n: int) -> int:
    return mix(cat.uid ^ mix((tick << 24) + n))


def line_hashes(uid: NDArray[np.uint64], tick: int, n: NDArray[np.int64]) -> NDArray[np.uint64]:
    """``line_hash`` of lines ``n`` in ``tick`` of the categories with identities ``uid``."""
    x = np.uint64((tick << 24) & MASK64) + n.astype(np.uint64)
    with np.errstate(over="ignore"):
        out: NDArray[np.uint64] = _mix(_mix(x) ^ uid)
    return out


def offsets(cat: Category, tick: int, count: int) -> NDArray[np.float64]:
    """The hash bits that place lines ``0..count-1`` inside their tick (bigger is later)."""
    x = np.uint64((tick << 24) & MASK64) + np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = _mix(_mix(x) ^ np.uint64(cat.uid))
    out: NDArray[np.float64] = (x & np.uint64(0xFFFFFF)).astype(np.float64)
    return out


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64 over an array (the same function as ``logtemplates.mix``)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: NDArray[np.uint64] = x ^ (x >> np.uint64(31))
    return out


def offset(sim: Simulator, cat: Category, tick: int, n: int) -> float:
    """When inside its tick line ``n`` was written (seconds from the tick's start)."""
    return (line_hash(cat, tick, n) & 0xFFFFFF) / float(1 << 24) * sim.dt


@dataclass
class _TickInfo:
    """What every line of a category in one tick shares (computed once)."""

    mean: float
    floor: float
    pods: tuple[list[str], list[str]]  # (stable pods, new-version pods)
    p_new: float
    skew: float
    sep: str  # millisecond separator
    suffix: str
    seconds: dict[int, str]


def _info(sim: Simulator, cat: Category, tick: int) -> _TickInfo:
    known: dict[tuple[int, int], _TickInfo] = recorder(sim).cache.setdefault("logs/ticks", {})
    key = (cat.uid, tick)
    got = known.get(key)
    if got is not None:
        return got
    if len(known) > 20000:
        known.clear()
    mean, floor = _latency_params(sim, cat, tick)
    pods, p_new = _pods(sim, cat, tick)
    t = sim.scenario.components[cat.comp].telemetry
    text = t.log_format == "text"
    sep = "," if text and t.language == "python" else "."
    suffix = "" if text and t.language in ("java", "python") else "Z"
    got = _TickInfo(mean, floor, pods, p_new, t.clock_skew, sep, suffix, {})
    known[key] = got
    return got


def render(sim: Simulator, cat: Category, tick: int, n: int) -> tuple[float, str]:
    """(true time, text) of line ``n`` of ``cat`` in ``tick``; the text carries skewed time."""
    h = line_hash(cat, tick, n)
    true_t = tick * sim.dt + (h & 0xFFFFFF) / float(1 << 24) * sim.dt
    info = _info(sim, cat, tick)
    counter = 0
    out: list[str] = []
    for seg in cat.template:
        if isinstance(seg, str):
            out.append(seg)
            continue
        counter += 1
        out.append(_value(sim, cat, seg, tick, true_t, info, mix(h + counter)))
    return true_t, "".join(out)


def _stamp(sim: Simulator, cat: Category, shown: float, info: _TickInfo) -> str:
    whole = math.floor(shown)
    base = info.seconds.get(whole)
    if base is None:
        fmt = "%Y-%m-%dT%H:%M:%S" if info.suffix else "%Y-%m-%d %H:%M:%S"
        base = (_clock(sim) + dtm.timedelta(seconds=whole)).strftime(fmt)
        info.seconds[whole] = base
    ms = min(int((shown - whole) * 1000), 999)
    return f"{base}{info.sep}{ms:03d}{info.suffix}"


def _value(
    sim: Simulator, cat: Category, f: Field, tick: int, true_t: float, info: _TickInfo, h: int
) -> str:
    if f.name == "ts":
        return _stamp(sim, cat, true_t + info.skew, info)
    if f.name == "trace":
        return f"{mix(h):016x}{mix(h ^ 0x5A5A):016x}"
    if f.name == "ms":
        return str(max(1, int(round(_latency(cat, info, h) * 1000))))
    if f.name == "n":
        return str(_number(sim, cat, tick, h))
    if f.name == "pod":
        new = ((h >> 20) & 0xFFFF) / 65536.0 < info.p_new
        pods = info.pods[1] if new and info.pods[1] else info.pods[0]
        return pods[(h >> 40) % len(pods)]
    return f.values[h % len(f.values)]


def _latency(cat: Category, info: _TickInfo, h: int) -> float:
    spread = max(info.mean - info.floor, 1e-6)
    u = ((h >> 11) + 1) / float(1 << 53)
    kind = cat.kind
    if kind == "slow":
        return logs.SLOW + spread * -math.log(u)
    if kind == "db_slow":
        return logs.DB_SLOW + spread * -math.log(u)
    x = info.floor + spread * -math.log(u)
    return min(x, logs.SLOW) if kind == "ok" else x


def _latency_params(sim: Simulator, cat: Category, tick: int) -> tuple[float, float]:
    c = sim.history.comp
    i = cat.comp
    mean, floor = float(c["latency"][tick, i]), float(c["floor"][tick, i])
    if cat.journey >= 0:
        w = sim.world
        mine = w.class_journey == cat.journey
        if cat.tenant >= 0:  # a line of one tenant: that tenant's latency
            mine &= w.class_tenant == cat.tenant
        ks = np.flatnonzero(mine)
        o = sim.history.cls["offered"][tick, ks, i].astype(np.float64)
        wgt = o / max(float(o.sum()), 1e-12)
        mean = float((sim.history.cls["latency"][tick, ks, i] * wgt).sum())
        floor = float((sim.history.cls["floor"][tick, ks, i] * wgt).sum())
    return mean, floor


def _number(sim: Simulator, cat: Category, tick: int, h: int) -> int:
    kind = cat.kind
    c = sim.history.comp
    if kind in logs.RETRY_KINDS:
        retries = int(sim.world.retries[cat.edge])
        return 1 + h % max(retries, 1)
    if kind == "repl":
        return int(c["replication_lag"][tick, cat.comp])
    if kind == "qlag":
        return (
            int(c["consumer_lag"][tick, cat.comp]) if h & 1 else int(c["backlog"][tick, cat.comp])
        )
    return 20 + cat.uid % 380 if kind != "ok" else 1 + h % 200


def _pods(sim: Simulator, cat: Category, tick: int) -> tuple[tuple[list[str], list[str]], float]:
    rec = recorder(sim)
    i = cat.comp
    m = rec.mix(i, tick)
    ready = max(int(round(float(sim.history.comp["replicas"][tick, i]))), 1)
    p_new = 0.0
    if m.new is not None and m.weight > 0:
        p_new = m.weight
        if cat.level == "error":
            err = float(sim.history.comp["errors"][tick, i])
            e_new = max(err + (1 - m.weight) * m.excess, 0.0)
            e_old = max(err - m.weight * m.excess, 0.0)
            p_new = m.weight * e_new / max(m.weight * e_new + (1 - m.weight) * e_old, 1e-12)
    on_new = int(round(m.weight * ready)) if m.new else 0
    stable = pod_table(sim, i, m.stable, max(ready - on_new, 1))[: max(ready - on_new, 1)]
    new = pod_table(sim, i, m.new, max(on_new, 1))[: max(on_new, 1)] if m.new else []
    return (stable, new), p_new


def milliseconds(sim: Simulator, cat: Category, tick: int, h: int) -> int:
    """The latency a line with field hash ``h`` shows, in milliseconds (as rendered)."""
    return max(1, int(round(_latency(cat, _info(sim, cat, tick), h) * 1000)))


@dataclass
class _Search:
    """A search's window and filters, and what the templates decide of each category."""

    sim: Simulator
    cats: list[Category]
    filters: list[Filter]
    lo: int
    n: NDArray[np.int64]  # lines per category and tick
    verdicts: list[bool | None]  # all lines pass (True), none (False), or read them (None)
    groups: list[tuple[list[int], tuple[tuple[Filter, Plan | None], ...]]]
    """Rows whose lines must be read, grouped by how (the plan of each undecided filter)."""
    budget: Budget = field(default_factory=Budget)
    rendering: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """Lines per tick that must be written out to be tested."""
    reading: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """Lines per tick read in bulk (plain filters the templates cannot decide)."""
    readers: dict[int, Reader] = field(default_factory=dict)
    window: Window | None = None

    @property
    def ticks(self) -> int:
        return int(self.n.shape[1])

    def reader(self, g: int) -> Reader:
        got = self.readers.get(g)
        if got is None:
            rows = self.groups[g][0]
            if self.window is None:
                self.window = Window(self.sim, self.lo, self.ticks)
            group = [self.cats[r] for r in rows]
            got = self.readers[g] = Reader(self.sim, group, self.lo, self.ticks, self.window)
        return got


def _prepare(
    sim: Simulator,
    cats: list[Category],
    filters: list[Filter],
    lo: int,
    hi: int,
    now: float,
    budget: Budget | None = None,
) -> _Search:
    n = logs.counts(sim, cats, lo, hi, now)
    by_filter = [plans(sim, cats, f.value) if f.plain else None for f in filters]
    by_regex = [f.possible(sim, cats) for f in filters]
    verdicts: list[bool | None] = []
    groups: dict[tuple[int, ...], tuple[list[int], list[tuple[Filter, Plan | None]]]] = {}
    only = by_filter[0] if len(filters) == 1 else None
    if only is not None:  # the usual case, in one pass
        f, keep = filters[0], filters[0].op == "|="
        verdicts = [None if q.verdict is None else q.verdict == keep for q in only]
        for r, plan_ in enumerate(only):
            if plan_.verdict is None:
                groups.setdefault((id(plan_),), ([], [(f, plan_)]))[0].append(r)
    for r in range(len(cats) if only is None else 0):
        v: bool | None = True
        how: list[tuple[Filter, Plan | None]] = []
        for f, known, can in zip(filters, by_filter, by_regex, strict=True):
            p = known[r] if known is not None else None
            d: bool | None
            if can is not None and not can[r]:
                d = f.op == "!~"  # no line of this category can match the pattern
            else:
                d = None if p is None or p.verdict is None else p.verdict == (f.op == "|=")
            if d is False:
                v = False
                break
            if d is None:
                v = None
                how.append((f, p))
        verdicts.append(v)
        if v is None:
            key = tuple(id(f) if p is None else id(p) for f, p in how)
            groups.setdefault(key, ([], how))[0].append(r)
    out = _Search(
        sim,
        cats,
        filters,
        lo,
        n,
        verdicts,
        [(g, tuple(h)) for g, h in groups.values()],
        budget if budget is not None else Budget(),
    )
    slow = [r for rows, how in out.groups if any(p is None for _, p in how) for r in rows]
    bulk = [r for rows, how in out.groups if all(p is not None for _, p in how) for r in rows]
    out.rendering = n[slow].sum(0).astype(np.int64) if slow else np.zeros(out.ticks, np.int64)
    out.reading = n[bulk].sum(0).astype(np.int64) if bulk else np.zeros(out.ticks, np.int64)
    return out


def _masks(s: _Search, t0: int, t1: int) -> Iterator[tuple[list[int], Lines, Mask]]:
    """For each group of rows that must be read and each batch of their lines in ticks
    ``[t0, t1)`` of the window: the group's rows, the lines (rows numbered within the group)
    and which of them pass every filter."""
    for g, (rows, how) in enumerate(s.groups):
        n = s.n[rows, t0:t1]
        if not n.any():
            continue
        reader = s.reader(g)
        plain = [(f, p) for f, p in how if p is not None]
        slow = [f for f, p in how if p is None]
        for lines in batches(n, t0):
            s.budget.check()
            column = reader.columns(lines)
            mask: Mask = True
            for f, p in plain:
                m = run(p.steps, f.value, column)
                if f.op == "!=":
                    m = (not m) if isinstance(m, bool) else ~m
                mask = both(mask, m)
                if mask is False:
                    break
            if slow and mask is not False:
                mask = _rendered(s.sim, reader.cats, slow, s.lo, lines, mask, s.budget)
            yield rows, lines, mask


def _rendered(
    sim: Simulator,
    group: Sequence[Category],
    filters: list[Filter],
    lo: int,
    lines: Lines,
    mask: Mask,
    budget: Budget,
) -> NDArray[np.bool_]:
    """Render the lines still in the running and test ``filters`` on their text."""
    out = np.full(lines.row.size, mask is not False, np.bool_)
    if not isinstance(mask, bool):
        out &= mask
    todo = np.flatnonzero(out)
    texts = []
    for k, j in enumerate(todo.tolist()):
        if k % RENDER_BLOCK == 0:
            budget.check()
        texts.append(
            render(sim, group[int(lines.row[j])], lo + int(lines.tick[j]), int(lines.n[j]))[1]
        )
    keep = np.ones(len(texts), np.bool_)
    for f in filters:
        keep &= f.lines(texts)
    out[todo] = keep
    return out


def _count(s: _Search) -> tuple[NDArray[np.int64], int]:
    """Matching lines per tick, and the first tick searched: 0 when the whole window fits in
    the budget; otherwise the search reads back from the newest tick until the budget is spent
    (lines before the first tick searched are not counted)."""
    sure = [r for r, v in enumerate(s.verdicts) if v is True]
    per_tick: NDArray[np.int64] = (
        s.n[sure].sum(0) if sure else np.zeros(s.ticks, np.int64)
    ).astype(np.int64)
    b = s.budget

    def tally(t0: int, t1: int) -> None:
        for _rows, lines, mask in _masks(s, t0, t1):
            if mask is True:
                per_tick[:] += np.bincount(lines.tick, minlength=s.ticks)
            elif mask is not False:
                per_tick[:] += np.bincount(lines.tick[mask], minlength=s.ticks)
        b.rendered += int(s.rendering[t0:t1].sum())
        b.read += int(s.reading[t0:t1].sum())

    fits = (
        b.rendered + int(s.rendering.sum()) <= b.render_lines
        and b.read + int(s.reading.sum()) <= b.bulk_lines
    )
    if fits:
        tally(0, s.ticks)
        return per_tick, 0
    start = s.ticks
    while start > 0 and not b.spent:
        # ticks back from ``start`` holding about one block of lines to read (at least one)
        r = np.cumsum(s.rendering[:start][::-1])
        w = np.cumsum(s.reading[:start][::-1])
        full = np.flatnonzero((r >= RENDER_BLOCK * 4) | (w >= READ_BLOCK))
        back = int(full[0]) + 1 if full.size else start
        tally(start - back, start)
        start -= back
    per_tick[:start] = 0
    return per_tick, start


@dataclass
class _Tick:
    """The lines of one tick that a page may show: rows, lines per row, and which pass."""

    rows: NDArray[np.intp]
    size: NDArray[np.int64]
    first: NDArray[np.int64]
    passing: NDArray[np.bool_]


def _read_ticks(s: _Search, t0: int, t1: int) -> dict[int, _Tick]:
    """Which lines of ticks ``[t0, t1)`` pass the filters, per tick."""
    shown = np.array([v is not False for v in s.verdicts], np.bool_)
    sure = np.array([v is True for v in s.verdicts], np.bool_)
    start = np.zeros((t1 - t0, len(s.cats)), np.int64)
    out: dict[int, _Tick] = {}
    for j, t in enumerate(range(t0, t1)):
        here = s.n[:, t]
        rows = np.flatnonzero(shown & (here > 0))
        size = here[rows]
        first = np.cumsum(size) - size
        start[j, rows] = first
        out[t] = _Tick(rows, size, first, np.repeat(sure[rows], size))
    for group, lines, mask in _masks(s, t0, t1):
        if mask is False:
            continue
        at = start[lines.tick - t0, np.asarray(group)[lines.row]] + lines.n.astype(np.int64)
        for t in np.unique(lines.tick).tolist():
            on = lines.tick == t
            out[t].passing[at[on]] = True if mask is True else mask[on]
    return out


def _page(
    s: _Search, skip: int, limit: int, per_tick: NDArray[np.int64] | None, first: int = 0
) -> list[tuple[float, Category, str]]:
    sim, cats, lo = s.sim, s.cats, s.lo
    out: list[tuple[float, Category, str]] = []
    remaining = skip
    uid = np.array([c.uid for c in cats], dtype=np.uint64)
    read: dict[int, _Tick] = {}
    block = 1
    for t in range(s.ticks - 1, first - 1, -1):
        if len(out) >= limit:
            break
        s.budget.check()
        if per_tick is not None and int(per_tick[t]) <= remaining:
            remaining -= int(per_tick[t])
            continue
        if t not in read:
            # read back in blocks that double, so that a rare match costs few passes
            read.update(_read_ticks(s, max(t - block + 1, first), t + 1))
            block *= 2
        tick = read.pop(t)
        matched = int(tick.passing.sum())
        if matched <= remaining:
            remaining -= matched
            continue
        who = np.repeat(tick.rows, tick.size)
        idx = np.arange(who.size) - np.repeat(tick.first, tick.size)
        # newest first: by when in the tick a line arrived, then by category (stable)
        offs = (line_hashes(uid[who], lo + t, idx) & np.uint64(0xFFFFFF)).astype(np.int64)
        order = np.lexsort((uid[who], -offs))
        picked = order[tick.passing[order]][remaining : remaining + limit - len(out)]
        remaining = 0
        for o in picked.tolist():
            r, k = int(who[o]), int(idx[o])
            when, text = render(sim, cats[r], lo + t, k)
            out.append((when, cats[r], text))
    return out


def count(
    sim: Simulator,
    cats: list[Category],
    filters: list[Filter],
    lo: int,
    hi: int,
    now: float,
) -> tuple[int, int]:
    """(matching lines, lines scanned) in ticks ``[lo, hi)``."""
    s = _prepare(sim, cats, filters, lo, hi, now, Budget(render_lines=2**62, bulk_lines=2**62))
    return int(_count(s)[0].sum()), int(s.n.sum())


def page(
    sim: Simulator,
    cats: list[Category],
    filters: list[Filter],
    lo: int,
    hi: int,
    now: float,
    skip: int,
    limit: int,
) -> list[tuple[float, Category, str]]:
    """One page of matching lines in ticks ``[lo, hi)``, newest first, after the first
    ``skip``: ticks are read from the newest back until the page is full."""
    return _page(_prepare(sim, cats, filters, lo, hi, now), skip, limit, None)


def search(
    sim: Simulator,
    cats: list[Category],
    filters: list[Filter],
    lo: int,
    hi: int,
    now: float,
    skip: int,
    limit: int,
    budget: Budget | None = None,
) -> Found:
    """Matching lines, lines scanned and one page newest first for ticks ``[lo, hi)``, as far
    back as ``budget`` lets the search read (``Found.start``: the first tick searched)."""
    s = _prepare(sim, cats, filters, lo, hi, now, budget)
    per_tick, start = _count(s)
    page = _page(s, skip, limit, per_tick, start)
    return Found(int(per_tick.sum()), int(s.n[:, start:].sum()), page, start)
