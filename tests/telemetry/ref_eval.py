"""The metric evaluator as the first telemetry release wrote it, kept as a test reference.

Every expression is evaluated at every tick of ``[0, hi)``, then read at the requested steps.
A series is *sampled* only at its component's scrapes, within retention, and while the
metrics store was up; between samples an instant selector returns the last sample (for at
most five minutes, as Prometheus' lookback does), and range functions see only the samples
inside their range.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.telemetry import gaps
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.promql import Agg, Bin, Node, Num, Selector, parse
from chaosgame.telemetry.query import Window, split_options
from tests.telemetry.ref_series import F, Frame, select

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

LOOKBACK = 300.0
IntArr = NDArray[np.int64]


@dataclass
class Val:
    """An instant vector over time (``labels`` per series) or a scalar (``labels`` is None)."""

    labels: list[dict[str, str]] | None
    values: F  # [S, T]


@dataclass
class Ctx:
    sim: Simulator
    hi: int
    now: float
    text: str


def _mask(ctx: Ctx, owner: IntArr) -> NDArray[np.bool_]:
    sim, hi = ctx.sim, ctx.hi
    dark = gaps.dark(sim, "metrics", 0, hi)
    missed = gaps.missed_scrapes(sim, 0, hi)
    ticks = np.arange(hi)
    rows: dict[int, NDArray[np.bool_]] = {}
    for i in np.unique(owner):
        step = gaps.scrape_step(sim, int(i))
        keep = gaps.first_kept(sim, int(i), ctx.now)
        rows[int(i)] = (ticks % step == 0) & ~dark & (ticks >= keep) & ~missed[:, int(i)]
    if not len(owner):
        return np.zeros((0, hi), dtype=np.bool_)
    return np.stack([rows[int(i)] for i in owner])


def _shift(values: F, ticks: int) -> F:
    if ticks <= 0:
        return values
    out = np.full_like(values, np.nan)
    if ticks < values.shape[1]:
        out[:, ticks:] = values[:, :-ticks]
    return out


def _indices(mask: NDArray[np.bool_]) -> tuple[IntArr, IntArr]:
    """Per series and tick: last sample at or before, next sample at or after (-1 / T)."""
    s, t = mask.shape
    ar = np.arange(t)
    last = (
        np.maximum.accumulate(np.where(mask, ar, -1), axis=1) if t else np.zeros((s, 0), np.int64)
    )
    nxt = np.where(mask, ar, t)
    nxt = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1] if t else nxt
    return last, nxt


def _take(values: F, idx: IntArr) -> F:
    safe = np.clip(idx, 0, max(values.shape[1] - 1, 0))
    out: F = np.take_along_axis(values, safe, axis=1) if values.size else values.copy()
    return out


def _raw(ctx: Ctx, fr: Frame) -> F:
    """What a scrape reads: counters as cumulative counts, gauges as they are."""
    if fr.counter:
        out: F = np.cumsum(fr.values * ctx.sim.dt, axis=1)
        return out
    return fr.values


def _instant(ctx: Ctx, sel: Selector) -> Val:
    fr = select(ctx.sim, sel.name, list(sel.matchers), ctx.hi)
    mask = _mask(ctx, fr.owner)
    raw = _raw(ctx, fr)
    last, _ = _indices(mask)
    ar = np.arange(ctx.hi)
    fresh = (last >= 0) & (ar - last <= LOOKBACK / ctx.sim.dt)
    vals = np.where(fresh, _take(raw, last), np.nan)
    return Val(fr.labels, _shift(vals, _ticks(ctx, sel.offset)))


def _ticks(ctx: Ctx, seconds: float) -> int:
    return int(round(seconds / ctx.sim.dt))


def _range_fn(ctx: Ctx, fn: str, sel: Selector, q: float | None) -> Val:
    assert sel.range is not None
    fr = select(ctx.sim, sel.name, list(sel.matchers), ctx.hi)
    mask = _mask(ctx, fr.owner)
    r = max(_ticks(ctx, sel.range), 1)
    dt = ctx.sim.dt
    s, t = fr.values.shape
    ar = np.arange(t)
    last, nxt = _indices(mask)
    start = np.clip(ar - r + 1, 0, max(t - 1, 0))
    first = nxt[:, start] if t else nxt
    inside = (last >= 0) & (last > ar[None, :] - r)
    raw = _raw(ctx, fr)
    if fn in ("rate", "increase", "irate"):
        if not fr.counter:
            raise QueryError(
                f"{fn}() needs a counter (a metric ending in _total, _count, _sum or _bucket); "
                f"'{sel.name}' is a gauge: try avg_over_time or max_over_time",
                ctx.text,
                sel.pos,
            )
        if fn == "irate":
            prev = (
                _take(np.concatenate([np.full((s, 1), -1), last[:, :-1]], axis=1), last)
                if t
                else last
            )
            first = np.where(last > 0, prev, -1)
        ok = inside & (first >= 0) & (first < last)
        span = np.maximum(last - first, 1) * dt
        per_s = (_take(raw, last) - _take(raw, first)) / span
        vals = np.where(ok, per_s * (sel.range if fn == "increase" else 1.0), np.nan)
    else:
        x = np.where(mask, raw, 0.0)
        cnt = np.cumsum(mask, axis=1)
        cs = np.cumsum(x, axis=1)
        prev_c = np.where(ar >= r, _lag(cnt, r), 0)
        prev_s = np.where(ar >= r, _lag(cs, r), 0.0)
        n: NDArray[np.int64] = cnt - prev_c
        total = cs - prev_s
        if fn == "avg_over_time":
            vals = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        elif fn == "sum_over_time":
            vals = np.where(n > 0, total, np.nan)
        elif fn == "count_over_time":
            vals = np.where(n > 0, n.astype(np.float64), np.nan)
        elif fn == "last_over_time":
            vals = np.where(inside, _take(raw, last), np.nan)
        else:
            masked = np.where(mask, raw, np.nan)
            if fn == "quantile_over_time":
                from numpy.lib.stride_tricks import sliding_window_view

                pad = np.concatenate([np.full((s, r - 1), np.nan), masked], axis=1)
                win = sliding_window_view(pad, r, axis=1)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    vals = np.nanquantile(win, q or 0.5, axis=2)
            else:
                op = np.fmax if fn == "max_over_time" else np.fmin
                vals = masked.copy()
                for k in range(1, r):
                    vals[:, k:] = op(vals[:, k:], masked[:, :-k])
    labels = [{k: v for k, v in lab.items() if k != "__name__"} for lab in fr.labels]
    return Val(labels, _shift(vals, _ticks(ctx, sel.offset)))


def _lag(a: NDArray[np.generic], r: int) -> NDArray[np.generic]:
    out = np.zeros_like(a)
    if r < a.shape[1]:
        out[:, r:] = a[:, :-r]
    return out


def _key(
    lab: dict[str, str], by: tuple[str, ...] | None, without: tuple[str, ...] | None
) -> tuple[tuple[str, str], ...]:
    if by is not None:
        return tuple((k, lab.get(k, "")) for k in by)
    drop = set(without or ()) | {"__name__"}
    return tuple(sorted((k, v) for k, v in lab.items() if k not in drop))


def _aggregate(ctx: Ctx, node: Agg) -> Val:
    inner = evaluate(ctx, node.expr)
    if inner.labels is None:
        raise QueryError(f"{node.op}() needs a vector, not a number", ctx.text, node.pos)
    vals = inner.values
    if node.op in ("topk", "bottomk"):
        assert node.param is not None
        k = int(_scalar(ctx, node.param))
        filled = np.where(np.isnan(vals), -np.inf if node.op == "topk" else np.inf, vals)
        order = np.argsort(-filled if node.op == "topk" else filled, axis=0, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(vals.shape[0])[:, None], axis=0)
        return Val(inner.labels, np.where(rank < k, vals, np.nan))
    by = node.by if node.by is not None or node.without is not None else ()
    keys = [_key(lab, by, node.without) for lab in inner.labels]  # neither: one group
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for s, key in enumerate(keys):
        groups.setdefault(key, []).append(s)
    order = np.array([s for g in groups.values() for s in g], dtype=np.int64)
    starts = np.cumsum([0] + [len(g) for g in groups.values()])[:-1]
    labels = [dict(key) for key in groups]
    if not groups:
        return Val([], np.zeros((0, ctx.hi)))
    v = vals[order]
    present = ~np.isnan(v)
    count = np.add.reduceat(present.astype(np.float64), starts, axis=0)
    if node.op in ("sum", "avg"):
        total = np.add.reduceat(np.where(present, v, 0.0), starts, axis=0)
        out = total / np.maximum(count, 1) if node.op == "avg" else total
    elif node.op == "max":
        out = np.fmax.reduceat(v, starts, axis=0)
    elif node.op == "min":
        out = np.fmin.reduceat(v, starts, axis=0)
    else:
        out = count
    return Val(labels, np.where(count > 0, out, np.nan))


def _scalar(ctx: Ctx, node: Node) -> float:
    if isinstance(node, Num):
        return node.value
    raise QueryError("expected a number here", ctx.text, getattr(node, "pos", None))


def _histogram_quantile(ctx: Ctx, q: float, inner: Val, pos: int) -> Val:
    if inner.labels is None or any("le" not in lab for lab in inner.labels):
        raise QueryError(
            "histogram_quantile() needs series with an 'le' label, such as "
            "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))",
            ctx.text,
            pos,
        )
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, int]]] = {}
    for s, lab in enumerate(inner.labels):
        le = float("inf") if lab["le"] == "+Inf" else float(lab["le"])
        groups.setdefault(_key(lab, None, ("le",)), []).append((le, s))
    labels, rows = [], []
    for key, members in groups.items():
        members.sort()
        bounds = np.array([b for b, _ in members])
        counts = inner.values[[s for _, s in members]]  # B, T
        total = counts[-1]
        rank = q * total
        above = counts >= rank[None, :]
        b = np.argmax(above, axis=0)
        upper = bounds[b]
        lower = np.where(b > 0, bounds[np.maximum(b - 1, 0)], 0.0)
        c_hi = np.take_along_axis(counts, b[None, :], 0)[0]
        c_lo = np.where(b > 0, np.take_along_axis(counts, np.maximum(b - 1, 0)[None, :], 0)[0], 0.0)
        with np.errstate(all="ignore"):
            frac = (rank - c_lo) / np.where(c_hi > c_lo, c_hi - c_lo, 1.0)
            val = lower + (upper - lower) * np.clip(frac, 0, 1)
        finite_top = bounds[np.isfinite(bounds)].max() if np.isfinite(bounds).any() else np.nan
        val = np.where(np.isinf(upper), finite_top, val)
        val = np.where((total > 0) & ~np.isnan(total), val, np.nan)
        labels.append(dict(key))
        rows.append(val)
    return Val(labels, np.vstack(rows) if rows else np.zeros((0, ctx.hi)))


def _binary(ctx: Ctx, node: Bin) -> Val:
    a, b = evaluate(ctx, node.lhs), evaluate(ctx, node.rhs)
    op = node.op

    def apply(x: F, y: F) -> F:
        with np.errstate(all="ignore"):
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                return np.where(y != 0, x / np.where(y == 0, 1, y), np.nan)
            if op == "%":
                return np.fmod(x, y)
            cmp = {
                "==": np.equal,
                "!=": np.not_equal,
                ">": np.greater,
                "<": np.less,
                ">=": np.greater_equal,
                "<=": np.less_equal,
            }[op](x, y)
            return np.where(cmp, x, np.nan)

    if a.labels is None and b.labels is None:
        return Val(None, apply(a.values, b.values))
    if b.labels is None:
        return Val(_strip(a.labels), apply(a.values, b.values))
    if a.labels is None:
        return Val(_strip(b.labels), apply(a.values, b.values))
    index = {_key(lab, None, None): s for s, lab in enumerate(b.labels)}
    labels, rows = [], []
    for s, lab in enumerate(a.labels):
        other = index.get(_key(lab, None, None))
        if other is not None:
            labels.append({k: v for k, v in lab.items() if k != "__name__"})
            rows.append(apply(a.values[s], b.values[other]))
    return Val(labels, np.vstack(rows) if rows else np.zeros((0, ctx.hi)))


def _strip(labels: list[dict[str, str]] | None) -> list[dict[str, str]]:
    return [{k: v for k, v in lab.items() if k != "__name__"} for lab in labels or []]


def evaluate(ctx: Ctx, node: Node) -> Val:
    """Evaluate ``node`` at every tick of ``[0, ctx.hi)``."""
    if isinstance(node, Num):
        return Val(None, np.full((1, ctx.hi), node.value))
    if isinstance(node, Selector):
        if node.range is not None:
            raise QueryError(
                "a range selector [..] must be inside a function such as rate() or avg_over_time()",
                ctx.text,
                node.pos,
            )
        return _instant(ctx, node)
    if isinstance(node, Agg):
        return _aggregate(ctx, node)
    if isinstance(node, Bin):
        return _binary(ctx, node)
    fn, args = node.fn, node.args
    if fn == "histogram_quantile":
        return _histogram_quantile(ctx, _scalar(ctx, args[0]), evaluate(ctx, args[1]), node.pos)
    if fn == "quantile_over_time":
        sel = args[1]
        assert isinstance(sel, Selector)
        return _range_fn(ctx, fn, sel, _scalar(ctx, args[0]))
    if fn in ("clamp_min", "clamp_max", "abs"):
        inner = evaluate(ctx, args[0])
        if fn == "abs":
            return Val(_strip(inner.labels), np.abs(inner.values))
        bound = _scalar(ctx, args[1])
        f = np.fmax if fn == "clamp_min" else np.fmin
        return Val(_strip(inner.labels), f(inner.values, bound))
    sel = args[0]
    assert isinstance(sel, Selector)
    return _range_fn(ctx, fn, sel, None)


MAX_POINTS = 120
MAX_SERIES = 200


def reference_query(
    sim: Simulator, expr: str, win: Window, text: str, offset: int
) -> dict[str, Any]:
    """Series of ``expr`` over the window, at most :data:`MAX_POINTS` points each."""
    try:
        node = parse(expr)
    except QueryError as exc:
        raise exc.within(text, max(offset, 0)) from None
    hi = win.end_tick
    if hi <= 0:
        return {"series": [], "notes": ["no data yet"]}
    ctx = Ctx(sim, hi, win.end, expr)
    try:
        val = evaluate(ctx, node)
    except QueryError as exc:
        raise exc.within(text, max(offset, 0)) from None
    dt = sim.dt
    lo = win.start_tick
    span = max(hi - lo, 1)
    step = int(round(win.step / dt)) if win.step else max(1, math.ceil(span / MAX_POINTS))
    step = max(step, 1)
    ticks = np.arange(hi - 1, lo - 1, -step)[::-1]
    values = val.values[:, ticks] if val.values.shape[1] else val.values
    times = [round(float(t * dt), 3) for t in ticks]
    series = []
    labels = val.labels if val.labels is not None else [{}]
    keep = np.flatnonzero(~np.isnan(values).all(axis=1)) if values.size else np.zeros(0, np.int64)
    notes = []
    if len(keep) > MAX_SERIES:
        notes.append(f"{len(keep)} series; showing the first {MAX_SERIES} (aggregate with sum by)")
        keep = keep[:MAX_SERIES]
    shown = _round(values[keep]) if len(keep) else values[:0]
    for row, s in zip(shown.tolist(), keep.tolist(), strict=True):
        points = [[tm, v] for tm, v in zip(times, row, strict=True) if v == v]
        series.append({"labels": dict(sorted(labels[s].items())), "points": points})
    if not series:
        notes.append("no data: nothing matched, the series is not scraped, or the window is empty")
    return {"series": series, "step_s": step * dt, "notes": notes}


def _round(values: np.ndarray) -> np.ndarray:
    """Six significant digits, vectorised."""
    with np.errstate(all="ignore"):
        mag = np.where(np.isfinite(values) & (values != 0), np.floor(np.log10(np.abs(values))), 0.0)
        scale = 10.0 ** (5 - mag)
        out: np.ndarray = np.where(np.isfinite(values), np.round(values * scale) / scale, values)
    return out


def reference_run(sim: Simulator, text: str, now: float | None = None) -> dict[str, Any]:
    """A metric query's result as the reference evaluates it (``query.run`` for metrics)."""
    now = sim.now if now is None else min(now, sim.now)
    body, opts = split_options(text)
    win = Window(sim, now, opts, "metrics", text)
    return reference_query(sim, body, win, text, text.find(body))
