"""Evaluates a parsed PromQL-style expression over the history, vectorised over series.

An expression is evaluated only at the ticks the query reads (``Ctx.at``, the output steps):
selectors and range functions (``promsample``) read the history at the sample ticks those
steps need, and aggregations, arithmetic and ``histogram_quantile`` work step by step. Labels
stay in columns (:class:`~chaosgame.telemetry.labels.Labels`) until a result is shown.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np

from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.labels import Labels, column
from chaosgame.telemetry.promql import Agg, Bin, Node, Num, Selector
from chaosgame.telemetry.promsample import LOOKBACK, Ctx, Val, instant, range_fn
from chaosgame.telemetry.series import F

__all__ = ["LOOKBACK", "Ctx", "Val", "evaluate"]


K = TypeVar("K", bound=Hashable)


def _groups(keys: Sequence[K]) -> tuple[list[K], np.ndarray, np.ndarray]:
    """Distinct keys in order of first appearance; members grouped in order; group starts."""
    index: dict[K, int] = {}
    codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(keys))
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(index))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    return list(index), order, starts


def _aggregate(ctx: Ctx, node: Agg) -> Val:
    inner = evaluate(ctx, node.expr)
    if inner.labels is None:
        raise QueryError(f"{node.op}() needs a vector, not a number", ctx.text, node.pos)
    vals = inner.values
    if node.op in ("topk", "bottomk"):
        assert node.param is not None
        wanted = _scalar(ctx, node.param)
        if not math.isfinite(wanted):
            raise QueryError(
                f"{node.op}() takes a whole number of series, not {wanted:g}",
                ctx.text,
                getattr(node.param, "pos", node.pos),
            )
        k = int(min(max(wanted, 0.0), vals.shape[0]))  # the whole part, as Prometheus
        filled = np.where(np.isnan(vals), -np.inf if node.op == "topk" else np.inf, vals)
        order = np.argsort(-filled if node.op == "topk" else filled, axis=0, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(vals.shape[0])[:, None], axis=0)
        return Val(inner.labels, np.where(rank < k, vals, np.nan))
    if not len(inner.labels):
        return Val(Labels({}, 0), np.zeros((0, ctx.k)))
    by = node.by if node.by is not None or node.without is not None else ()
    if by is not None:  # neither by nor without: one series over everything, as in PromQL
        values, order, starts = _groups(inner.labels.by_values(by))
        names = list(dict.fromkeys(by))
        last = {k: i for i, k in enumerate(by)}  # as dict(...) keeps the last duplicate
        labels = Labels(
            {k: column((key[last[k]] for key in values), len(values)) for k in names},
            len(values),
        )
    else:
        drop = {*(node.without or ()), "__name__"}
        pairs, order, starts = _groups(inner.labels.keys(drop))
        labels = Labels.from_dicts([dict(key) for key in pairs])
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
    """A number written in the query (``5``, ``-1``, ``2 * 3``), not a series."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Bin) and _constant(node):
        return float(evaluate(ctx, node).values[0, 0]) if ctx.k else float("nan")
    raise QueryError("expected a number here", ctx.text, getattr(node, "pos", None))


def _constant(node: Node) -> bool:
    if isinstance(node, Num):
        return True
    return isinstance(node, Bin) and _constant(node.lhs) and _constant(node.rhs)


def _quantile(ctx: Ctx, fn: str, node: Node) -> float:
    """The quantile argument of ``fn``: a number from 0 to 1."""
    q = _scalar(ctx, node)
    if not 0.0 <= q <= 1.0:
        raise QueryError(
            f"{fn}() takes a quantile from 0 to 1 (0.99 for the 99th percentile), not {q:g}",
            ctx.text,
            getattr(node, "pos", None),
        )
    return q


def _histogram_quantile(ctx: Ctx, q: float, inner: Val, pos: int) -> Val:
    if inner.labels is None or not inner.labels.has_all("le"):
        raise QueryError(
            "histogram_quantile() needs series with an 'le' label, such as "
            "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))",
            ctx.text,
            pos,
        )
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, int]]] = {}
    les = inner.labels.get("le").tolist()
    for s, key in enumerate(inner.labels.keys(("le", "__name__"))):
        le = float("inf") if les[s] == "+Inf" else float(les[s])
        groups.setdefault(key, []).append((le, s))
    keys, rows = [], []
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
        keys.append(dict(key))
        rows.append(val)
    return Val(Labels.from_dicts(keys), np.vstack(rows) if rows else np.zeros((0, ctx.k)))


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
    index = {key: s for s, key in enumerate(b.labels.keys(("__name__",)))}
    mine, other = [], []
    for s, key in enumerate(a.labels.keys(("__name__",))):
        o = index.get(key)
        if o is not None:
            mine.append(s)
            other.append(o)
    if not mine:
        return Val(Labels({}, 0), np.zeros((0, ctx.k)))
    return Val(_strip(a.labels).take(mine), apply(a.values[mine], b.values[other]))


def _strip(labels: Labels | None) -> Labels:
    return labels.without("__name__") if labels is not None else Labels({}, 0)


def evaluate(ctx: Ctx, node: Node) -> Val:
    """Evaluate ``node`` at the ticks ``ctx.at``."""
    if isinstance(node, Num):
        return Val(None, np.full((1, ctx.k), node.value))
    if isinstance(node, Selector):
        if node.range is not None:
            raise QueryError(
                "a range selector [..] must be inside a function such as rate() or avg_over_time()",
                ctx.text,
                node.pos,
            )
        return instant(ctx, node)
    if isinstance(node, Agg):
        return _aggregate(ctx, node)
    if isinstance(node, Bin):
        return _binary(ctx, node)
    fn, args = node.fn, node.args
    if fn == "histogram_quantile":
        q = _quantile(ctx, fn, args[0])
        return _histogram_quantile(ctx, q, evaluate(ctx, args[1]), node.pos)
    if fn == "quantile_over_time":
        sel = args[1]
        assert isinstance(sel, Selector)
        return range_fn(ctx, fn, sel, _quantile(ctx, fn, args[0]))
    if fn in ("clamp_min", "clamp_max", "abs"):
        inner = evaluate(ctx, args[0])
        if fn == "abs":
            return Val(_strip(inner.labels), np.abs(inner.values))
        bound = _scalar(ctx, args[1])
        f = np.fmax if fn == "clamp_min" else np.fmin
        return Val(_strip(inner.labels), f(inner.values, bound))
    sel = args[0]
    assert isinstance(sel, Selector)
    return range_fn(ctx, fn, sel, None)
