"""Rendering log lines on demand and searching them without rendering what is not shown."""

from __future__ import annotations

import datetime as dtm
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.scenario import units
from chaosgame.telemetry import logs
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.listings import pod_names
from chaosgame.telemetry.logtemplates import Field, decide, mix
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.logs import Category

MASK64 = (1 << 64) - 1
RENDER_LIMIT = 3_000_000
"""Most lines a search will render to decide a filter the templates cannot decide."""


_DECIDED: dict[tuple[str, int], bool | None] = {}
"""What a plain filter decides for a category's template (templates never change)."""


@dataclass(frozen=True)
class Filter:
    op: str  # |= != |~ !~
    value: str
    pos: int

    def decide(self, cat: Category) -> bool | None:
        """True: every line passes; False: none does; None: each line must be read."""
        if self.op in ("|=", "!="):
            key = (self.value, cat.uid)
            if key not in _DECIDED:
                if len(_DECIDED) > 200_000:
                    _DECIDED.clear()
                _DECIDED[key] = decide(self.value, list(cat.template))
            hit = _DECIDED[key]
            if hit is None or self.op == "|=":
                return hit
            return not hit
        return None

    def test(self, text: str) -> bool:
        if self.op == "|=":
            return self.value in text
        if self.op == "!=":
            return self.value not in text
        found = re.search(self.value, text) is not None
        return found if self.op == "|~" else not found


def _clock(sim: Simulator) -> dtm.datetime:
    return units.clock_start(sim.scenario.clock_start)


def line_hash(cat: Category, tick: int, n: int) -> int:
    return mix(cat.uid ^ mix((tick << 24) + n))


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


_INFO: dict[tuple[int, int, int], _TickInfo] = {}


def _info(sim: Simulator, cat: Category, tick: int) -> _TickInfo:
    key = (id(sim), cat.uid, tick)
    got = _INFO.get(key)
    if got is not None:
        return got
    if len(_INFO) > 20000:
        _INFO.clear()
    mean, floor = _latency_params(sim, cat, tick)
    pods, p_new = _pods(sim, cat, tick)
    t = sim.scenario.components[cat.comp].telemetry
    text = t.log_format == "text"
    sep = "," if text and t.language == "python" else "."
    suffix = "" if text and t.language in ("java", "python") else "Z"
    got = _TickInfo(mean, floor, pods, p_new, t.clock_skew, sep, suffix, {})
    _INFO[key] = got
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
    kind = cat.key.split("/")[0]
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
        ks = np.flatnonzero(w.class_journey == cat.journey)
        o = sim.history.cls["offered"][tick, ks, i].astype(np.float64)
        wgt = o / max(float(o.sum()), 1e-12)
        mean = float((sim.history.cls["latency"][tick, ks, i] * wgt).sum())
        floor = float((sim.history.cls["floor"][tick, ks, i] * wgt).sum())
    return mean, floor


def _number(sim: Simulator, cat: Category, tick: int, h: int) -> int:
    kind = cat.key.split("/")[0]
    c = sim.history.comp
    if kind in ("retry_t", "retry_e"):
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
            e_new = err + (1 - m.weight) * m.excess
            e_old = max(err - m.weight * m.excess, 0.0)
            p_new = m.weight * e_new / max(m.weight * e_new + (1 - m.weight) * e_old, 1e-12)
    on_new = int(round(m.weight * ready)) if m.new else 0
    stable = pod_names(sim, i, m.stable, max(ready - on_new, 1))
    new = pod_names(sim, i, m.new, max(on_new, 1)) if m.new else []
    return (stable, new), p_new


Match = Callable[[str], bool]


def search(
    sim: Simulator,
    cats: list[Category],
    filters: list[Filter],
    lo: int,
    hi: int,
    now: float,
    skip: int,
    limit: int,
) -> tuple[int, int, list[tuple[float, Category, str]]]:
    """(matching lines, lines scanned, one page newest first) for ticks ``[lo, hi)``."""
    n = logs.counts(sim, cats, lo, hi, now)
    scanned = int(n.sum())
    verdicts = []
    for c in cats:
        v: bool | None = True
        for f in filters:
            d = f.decide(c)
            if d is False:
                v = False
                break
            if d is None:
                v = None
        verdicts.append(v)
    sure = np.array([v is True for v in verdicts])
    open_rows = [r for r, v in enumerate(verdicts) if v is None]
    reading = int(n[open_rows].sum()) if open_rows else 0
    if reading > RENDER_LIMIT:
        raise QueryError(
            f"this filter must read {reading:,} lines one by one (it can match inside values "
            "such as numbers or ids); narrow the window (--since) or the stream selector"
        )
    per_tick = n[sure].sum(0) if sure.any() else np.zeros(hi - lo, np.int64)
    if open_rows:
        for r in open_rows:
            cat = cats[r]
            for t in (int(x) for x in np.flatnonzero(n[r])):
                hits = sum(
                    all(f.test(render(sim, cat, lo + int(t), k)[1]) for f in filters)
                    for k in range(int(n[r, t]))
                )
                per_tick[int(t)] += hits
    total = int(per_tick.sum())
    page: list[tuple[float, Category, str]] = []
    remaining = skip
    for t in range(hi - lo - 1, -1, -1):
        if len(page) >= limit:
            break
        if per_tick[t] <= remaining:
            remaining -= int(per_tick[t])
            continue
        rows = [r for r in range(len(cats)) if verdicts[r] is not False and n[r, t]]
        if not rows:
            continue
        offs = np.concatenate([offsets(cats[r], lo + t, int(n[r, t])) for r in rows])
        who = np.concatenate([np.full(int(n[r, t]), r) for r in rows])
        idx = np.concatenate([np.arange(int(n[r, t])) for r in rows])
        uids = np.array([cats[r].uid for r in who], dtype=np.uint64) if len(who) < 4096 else None
        order = np.lexsort((uids, -offs)) if uids is not None else np.argsort(-offs, kind="stable")
        for o in order:
            if len(page) >= limit:
                break
            r, k = int(who[o]), int(idx[o])
            when, text = render(sim, cats[r], lo + t, k)
            if verdicts[r] is None and not all(f.test(text) for f in filters):
                continue
            if remaining:
                remaining -= 1
                continue
            page.append((when, cats[r], text))
    return total, scanned, page
