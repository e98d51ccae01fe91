"""Metric queries: evaluate a PromQL-style expression at the window's steps only."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.promeval import Ctx, evaluate
from chaosgame.telemetry.promql import parse

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.query import Window

MAX_POINTS = 120
"""Points per series when no ``--step`` is given."""
MAX_STEPS = 11_000
"""Most points per series a ``--step`` may ask for (Prometheus's own limit)."""
MAX_SERIES = 200


def metrics_query(sim: Simulator, expr: str, win: Window, text: str, offset: int) -> dict[str, Any]:
    """Series of ``expr`` over the window, at most :data:`MAX_POINTS` points each."""
    try:
        node = parse(expr)
    except QueryError as exc:
        raise exc.within(text, max(offset, 0)) from None
    hi = win.end_tick
    if hi <= 0:
        return {"series": [], "notes": ["no data yet"]}
    dt = sim.dt
    lo = win.start_tick
    span = max(hi - lo, 1)
    step = (
        int(round(min(win.step / dt, span))) if win.step else max(1, math.ceil(span / MAX_POINTS))
    )
    step = max(step, 1)
    if math.ceil(span / step) > MAX_STEPS:
        raise QueryError(
            f"--step={win.step:g}s would give {math.ceil(span / step):,} points per series over "
            f"this window; at most {MAX_STEPS:,}: ask for a larger --step or a shorter --since",
            text,
        )
    ticks = np.arange(hi - 1, lo - 1, -step)[::-1].astype(np.int64)
    ctx = Ctx(sim, hi, win.end, expr, ticks)
    try:
        val = evaluate(ctx, node)
    except QueryError as exc:
        raise exc.within(text, max(offset, 0)) from None
    values = val.values
    times = [round(float(t) * dt, 3) for t in ticks.tolist()]
    series = []
    keep = np.flatnonzero(~np.isnan(values).all(axis=1)) if values.size else np.zeros(0, np.int64)
    notes = []
    if len(keep) > MAX_SERIES:
        notes.append(f"{len(keep)} series; showing the first {MAX_SERIES} (aggregate with sum by)")
        keep = keep[:MAX_SERIES]
    shown = _round(values[keep]) if len(keep) else values[:0]
    both = np.empty((*shown.shape, 2))
    both[:, :, 0] = times
    both[:, :, 1] = shown
    holes = np.asarray(np.isnan(shown).any(axis=1), dtype=np.bool_)
    gaps: list[bool] = [bool(g) for g in holes]
    for points, s, gap in zip(both.tolist(), keep.tolist(), gaps, strict=True):
        labels = val.labels.as_dict(s) if val.labels is not None else {}
        if gap:
            points = [p for p in points if p[1] == p[1]]
        series.append({"labels": dict(sorted(labels.items())), "points": points})
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
