"""Selectors and range functions, evaluated only at the ticks a query reads.

A series is *sampled* only at its component's scrapes, within retention, and while the
metrics store was up; between samples an instant selector returns the last sample (for at
most five minutes, as Prometheus' lookback does), and range functions see only the samples
inside their range. Components with the same scrape interval and retention share one sample
timeline, so the last and next sample around each tick are found once per group, and the
frame is read only at the sample ticks the requested steps need.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.telemetry import gaps
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.labels import Labels
from chaosgame.telemetry.metrics import select
from chaosgame.telemetry.promql import Selector
from chaosgame.telemetry.recorder import recorder
from chaosgame.telemetry.series import F, Frame, IntArr

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

LOOKBACK = 300.0
RATES = ("rate", "increase", "irate")


@dataclass
class Val:
    """An instant vector at the context's ticks (``labels`` per series) or a scalar (None)."""

    labels: Labels | None
    values: F  # [S, len(ctx.at)]


@dataclass
class Ctx:
    """What a query sees: ticks ``[0, hi)`` at time ``now``, evaluated at ticks ``at``."""

    sim: Simulator
    hi: int
    now: float
    text: str
    steps: IntArr | None = None
    """The ticks to evaluate at (sorted); every tick of ``[0, hi)`` when None."""

    def __post_init__(self) -> None:
        self.at: IntArr = np.arange(self.hi, dtype=np.int64) if self.steps is None else self.steps

    @property
    def k(self) -> int:
        return len(self.at)


@dataclass
class Samples:
    """Sample timelines: per group of series with the same scrape settings."""

    gid: IntArr  # [S] each series' group
    mask: NDArray[np.bool_]  # [G, hi] sampled at the tick
    last: IntArr  # [G, hi] last sample at or before the tick, or -1
    nxt: IntArr  # [G, hi] next sample at or after the tick, or hi


def _settings(sim: Simulator, now: float) -> tuple[IntArr, IntArr]:
    """Per component: ticks between scrapes, and the oldest tick kept at ``now``."""
    rec = recorder(sim)
    got = rec.cache.get("metrics/scrape")
    if got is None:
        n = sim.world.n
        steps = np.array([gaps.scrape_step(sim, i) for i in range(n)], dtype=np.int64)
        keep = np.array([gaps.settings(sim, i).retention for i in range(n)], dtype=np.float64)
        got = rec.cache["metrics/scrape"] = (steps, keep)
    steps, retention = got
    with np.errstate(invalid="ignore"):
        first = np.maximum(np.ceil((now - retention) / sim.dt - 1e-9), 0.0)
    return steps, first.astype(np.int64)


def samples(ctx: Ctx, owner: IntArr) -> Samples:
    sim, hi = ctx.sim, ctx.hi
    if not len(owner):
        z = np.zeros((0, hi), np.int64)
        return Samples(np.zeros(0, np.int64), z.astype(np.bool_), z, z)
    dark = gaps.dark(sim, "metrics", 0, hi)
    steps, first = _settings(sim, ctx.now)
    missed = gaps.missed_scrapes(sim, 0, hi)
    gapped = np.flatnonzero(missed.any(axis=0))  # components with a missed scrape: own groups
    alone = np.where(np.isin(owner, gapped), owner, -1)
    both = np.stack([steps[owner], first[owner], alone], axis=1)
    uniq, gid = np.unique(both, axis=0, return_inverse=True)
    ticks = np.arange(hi)
    mask = (ticks % uniq[:, :1] == 0) & ~dark[None, :] & (ticks >= uniq[:, 1:2])
    for g in np.flatnonzero(uniq[:, 2] >= 0):
        mask[g] &= ~missed[:, uniq[g, 2]]
    last = np.maximum.accumulate(np.where(mask, ticks, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(mask, ticks, hi)[:, ::-1], axis=1)[:, ::-1]
    return Samples(gid.reshape(-1).astype(np.int64), mask, last, nxt)


def _pick(raw: F, xs: IntArr, idx: IntArr, gid: IntArr) -> F:
    """Per series and step: ``raw`` (read at ticks ``xs``) at tick ``idx[group]``."""
    pos = np.clip(np.searchsorted(xs, idx), 0, len(xs) - 1)
    if pos.shape[0] == 1:
        out: F = raw[:, pos[0]]
        return out
    return np.take_along_axis(raw, pos[gid], axis=1)


def _ticks_of(*parts: IntArr) -> IntArr:
    xs = np.unique(np.concatenate([p.ravel() for p in parts])) if parts else np.zeros(0)
    return xs.astype(np.int64) if len(xs) else np.zeros(1, np.int64)


def _ticks(ctx: Ctx, seconds: float) -> int:
    """Seconds as ticks, at most one more than the history holds (a longer range or offset
    reaches before the first tick all the same)."""
    return int(round(min(seconds / ctx.sim.dt, ctx.hi + 1.0)))


def _steps(ctx: Ctx, sel: Selector) -> tuple[IntArr, NDArray[np.bool_]]:
    """The ticks to evaluate at once ``offset`` is applied, clipped, and which are real."""
    u = ctx.at - _ticks(ctx, sel.offset)
    return np.clip(u, 0, max(ctx.hi - 1, 0)), u >= 0


def instant(ctx: Ctx, sel: Selector) -> Val:
    fr = select(ctx.sim, sel.name, list(sel.matchers), ctx.hi)
    sm = samples(ctx, fr.owner)
    uc, valid = _steps(ctx, sel)
    last = sm.last[:, uc]
    fresh = (last >= 0) & (uc - last <= LOOKBACK / ctx.sim.dt) & valid
    xs = _ticks_of(last[fresh])
    raw = fr.raw(xs, fr.counter)
    vals = np.where(fresh[sm.gid], _pick(raw, xs, last, sm.gid), np.nan)
    return Val(fr.labels, vals)


def range_fn(ctx: Ctx, fn: str, sel: Selector, q: float | None) -> Val:
    assert sel.range is not None
    fr = select(ctx.sim, sel.name, list(sel.matchers), ctx.hi)
    if fn in RATES and not fr.counter:
        raise QueryError(
            f"{fn}() needs a counter (a metric ending in _total, _count, _sum or _bucket); "
            f"'{sel.name}' is a gauge: try avg_over_time or max_over_time",
            ctx.text,
            sel.pos,
        )
    labels = fr.labels.without("__name__")
    r = max(_ticks(ctx, sel.range), 1)
    sm = samples(ctx, fr.owner)
    uc, valid = _steps(ctx, sel)
    last = sm.last[:, uc]
    inside = (last >= 0) & (last > uc - r)
    if fn in RATES:
        vals = _rate(ctx, fn, fr, sm, uc, r, last, inside, sel.range)
    elif fn == "last_over_time":
        xs = _ticks_of(last[inside])
        raw = fr.raw(xs, fr.counter)
        vals = np.where(inside[sm.gid], _pick(raw, xs, last, sm.gid), np.nan)
    else:
        vals = _over_time(ctx, fn, fr, sm, uc[valid], r, q)
        full = np.full((len(fr), ctx.k), np.nan)
        full[:, valid] = vals
        vals = full
    return Val(labels, np.where(valid, vals, np.nan))


def _rate(
    ctx: Ctx,
    fn: str,
    fr: Frame,
    sm: Samples,
    uc: IntArr,
    r: int,
    last: IntArr,
    inside: NDArray[np.bool_],
    rng: float,
) -> F:
    hi = ctx.hi
    if fn == "irate":
        before = np.take_along_axis(sm.last, np.clip(last - 1, 0, max(hi - 1, 0)), axis=1)
        first = np.where(last > 0, before, -1)
    else:
        first = sm.nxt[:, np.clip(uc - r + 1, 0, max(hi - 1, 0))]
    ok = inside & (first >= 0) & (first < last)
    xs = _ticks_of(last[ok], first[ok])
    raw = fr.raw(xs, True)
    span = (np.maximum(last - first, 1) * ctx.sim.dt)[sm.gid]
    per_s = (_pick(raw, xs, last, sm.gid) - _pick(raw, xs, first, sm.gid)) / span
    out: F = np.where(ok[sm.gid], per_s * (rng if fn == "increase" else 1.0), np.nan)
    return out


def _over_time(ctx: Ctx, fn: str, fr: Frame, sm: Samples, uc: IntArr, r: int, q: float | None) -> F:
    """``fn`` over the samples in ``(t - r, t]`` for each tick ``t`` of ``uc``."""
    if not len(uc):
        return np.zeros((len(fr), 0))
    w0 = max(int(uc.min()) - r + 1, 0)
    wt = np.arange(w0, int(uc.max()) + 1, dtype=np.int64)
    raw = fr.raw(wt, fr.counter)
    mask = sm.mask[:, wt][sm.gid]
    col = uc - w0
    if fn in ("avg_over_time", "sum_over_time", "count_over_time"):
        cnt = np.cumsum(mask, axis=1)
        cs = np.cumsum(np.where(mask, raw, 0.0), axis=1)
        back = col - r
        has_back = back >= 0
        b = np.clip(back, 0, None)
        n: NDArray[np.int64] = cnt[:, col] - np.where(has_back, cnt[:, b], 0)
        total = cs[:, col] - np.where(has_back, cs[:, b], 0.0)
        if fn == "avg_over_time":
            return np.where(n > 0, total / np.maximum(n, 1), np.nan)
        if fn == "sum_over_time":
            return np.where(n > 0, total, np.nan)
        return np.where(n > 0, n.astype(np.float64), np.nan)
    masked = np.where(mask, raw, np.nan)
    if fn == "quantile_over_time":
        pad = np.concatenate([np.full((len(fr), r - 1), np.nan), masked], axis=1)
        out = np.empty((len(fr), len(col)))
        chunk = max(1, 2_000_000 // max(len(fr) * r, 1))
        for c0 in range(0, len(col), chunk):
            idx = col[c0 : c0 + chunk, None] + np.arange(r)[None, :]  # padded window columns
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[:, c0 : c0 + chunk] = np.nanquantile(pad[:, idx], q or 0.5, axis=2)
        return out
    op = np.fmax if fn == "max_over_time" else np.fmin
    vals: F = masked[:, col]
    for k in range(1, r):
        back = col - k
        ok = back >= 0
        if not ok.any():
            break
        vals[:, ok] = op(vals[:, ok], masked[:, back[ok]])
    return vals
