"""Request metrics per (component, endpoint): counts by status code and version, latency.

Series come from the per-class history (offered load, error share, mean latency and its floor
per journey and tenant class), split by the version mix the recorder keeps. Readers work on
tick-major ``[ticks, pairs]`` arrays, so a query reads only the ticks it needs and the
components' columns stay contiguous.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.refusals import limited as quota_limited
from chaosgame.telemetry.labels import Labels, column
from chaosgame.telemetry.promql import Matcher
from chaosgame.telemetry.recorder import recorder
from chaosgame.telemetry.series import F, Frame, IntArr, cum_at, emitting, names, regions
from chaosgame.telemetry.tenants import class_split, pair_journey, pair_tenant, tenanted

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUANTILES = (0.5, 0.9, 0.99)
Builder = Callable[["Simulator", list[int], int, list[Matcher]], Frame]


def _first_rollouts(sim: Simulator) -> dict[int, int]:
    """Per component: the first tick a rollout was in progress (the recorder's mixes)."""
    rec = recorder(sim)
    seen, first = rec.cache.get("metrics/rollouts", (0, {}))
    for t in range(seen, len(rec.mixes)):
        for i in rec.mixes[t]:
            first.setdefault(i, t)
    rec.cache["metrics/rollouts"] = (len(rec.mixes), first)
    out: dict[int, int] = first
    return out


def simple_versions(sim: Simulator, comps: Iterable[int], hi: int) -> dict[int, str | None]:
    """Per component: the one version it ran through ticks ``[0, hi)``, or None if it changed."""
    rec = recorder(sim)
    first = _first_rollouts(sim)
    limit = min(hi, len(rec.mixes))
    out: dict[int, str | None] = {}
    for i in comps:
        bases = rec.base.get(i) or [(0, sim.scenario.components[i].version)]
        out[i] = bases[0][1] if len(bases) == 1 and first.get(i, limit) >= limit else None
    return out


def version_shares(sim: Simulator, i: int, hi: int) -> dict[str, tuple[F, F]]:
    """Per version: (share of traffic, error rate adjustment) for ticks ``[0, hi)``."""
    single = simple_versions(sim, [i], hi)[i]
    if single is not None:
        return {single: (np.ones(hi), np.zeros(hi))}
    rec = recorder(sim)
    key = f"versions/{i}/{hi}"
    if key in rec.cache:
        out: dict[str, tuple[F, F]] = rec.cache[key]
        return out
    out = {}
    for t in range(hi):
        mix = rec.mix(i, t)
        parts = [(mix.stable, 1.0 - mix.weight, -mix.weight * mix.excess)]
        if mix.new is not None and mix.weight > 0:
            parts.append((mix.new, mix.weight, (1.0 - mix.weight) * mix.excess))
        for version, share, adj in parts:
            if share <= 0:
                continue
            s, a = out.setdefault(version, (np.zeros(hi), np.zeros(hi)))
            s[t] += share
            a[t] += adj
    rec.cache[key] = out
    return out


def _cols(arr: np.ndarray, hi: int, comps: list[int]) -> np.ndarray:
    """``arr[:hi][..., comps]`` without a gather when ``comps`` is every component."""
    if len(comps) == arr.shape[-1] and comps[0] == 0 and comps[-1] == len(comps) - 1:
        return arr[:hi]
    return arr[:hi][..., comps]


def _flat(arr: np.ndarray, hi: int) -> np.ndarray:
    """``arr[:hi]`` (ticks, classes, components) as ``[ticks, class * n + component]``."""
    return arr[:hi].reshape(hi, -1)


def _peak(sim: Simulator, hi: int) -> np.ndarray:
    """Per class and component: the most load offered over ticks ``[0, hi)``.

    Kept as a running maximum (the history only grows), so a query reads only new ticks.
    """
    rec = recorder(sim)
    arr = sim.history.cls["offered"]
    done, peak = rec.cache.get("metrics/peak", (0, np.zeros(arr.shape[1:], np.float32)))
    if hi < done:
        out: np.ndarray = arr[:hi].max(axis=0) if hi else np.zeros(arr.shape[1:], np.float32)
        return out
    if hi > done:
        peak = np.maximum(peak, arr[done:hi].max(axis=0))
        rec.cache["metrics/peak"] = (hi, peak)
    latest: np.ndarray = peak
    return latest


Split = tuple[list[tuple[int, int]], np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def journey_split(sim: Simulator, comps: list[int], hi: int, latency: bool = True) -> Split:
    """(component, journey) pairs with traffic; per tick and pair: rate, errors, mean, floor.

    Arrays are ``[hi, pairs]``; a journey of one class keeps the history's float32 values.
    With tenants, components that carry tenant labels have one pair per class instead
    (:func:`chaosgame.telemetry.tenants.class_split`).
    """
    if tenanted(sim):
        return class_split(sim, comps, hi, latency)
    return _journey_split(sim, comps, hi, latency)


def _journey_split(sim: Simulator, comps: list[int], hi: int, latency: bool = True) -> Split:
    """:func:`journey_split` with one pair per (component, journey)."""
    w, h = sim.world, sim.history
    names = ("offered", "errors", "latency", "floor") if latency else ("offered", "errors")
    pairs: list[tuple[int, int]] = []
    blocks: list[list[np.ndarray]] = []  # per run of journeys: one array per name
    ks_one: list[int] = []
    cs_one: list[int] = []

    def flush() -> None:
        if ks_one:
            flat = np.array(ks_one, dtype=np.int64) * w.n + np.array(cs_one, dtype=np.int64)
            blocks.append([np.take(_flat(h.cls[n], hi), flat, axis=1) for n in names])
            ks_one.clear()
            cs_one.clear()

    offered = _cols(h.cls["offered"], hi, comps)  # T, K, C
    peak = _peak(sim, hi)[:, comps]
    for j in range(len(w.journeys)):
        ks = np.flatnonzero(w.class_journey == j)
        if len(ks) == 1:
            seen = np.flatnonzero(peak[int(ks[0])] > 0)
            pick = [comps[int(c)] for c in seen]
            pairs.extend((i, j) for i in pick)
            ks_one.extend([int(ks[0])] * len(pick))
            cs_one.extend(pick)
            continue
        kslice = slice(int(ks[0]), int(ks[-1]) + 1)
        o = offered[:, kslice]
        tot = o.sum(1, dtype=np.float64)
        seen = np.flatnonzero(tot.max(0) > 0) if hi else np.zeros(0, np.int64)
        if not seen.size:
            continue
        flush()
        pick = [comps[int(c)] for c in seen]
        pairs.extend((i, j) for i in pick)
        tot = tot[:, seen]
        wgt = o[:, :, seen].astype(np.float64) / np.maximum(tot[:, None, :], 1e-12)
        block = [tot] + [(h.cls[n][:hi, kslice][:, :, pick] * wgt).sum(1) for n in names[1:]]
        blocks.append(block)
    flush()
    if not pairs:
        z = np.zeros((hi, 0))
        return pairs, z, z, z, z
    cols = [b[0] if len(blocks) == 1 else np.hstack(b) for b in zip(*blocks, strict=True)]
    if not latency:
        cols += [np.zeros((hi, len(pairs)))] * 2
    return pairs, cols[0], cols[1], cols[2], cols[3]


def _pair_labels(sim: Simulator, pairs: list[tuple[int, int]], rows: IntArr) -> Labels:
    comp = np.array([i for i, _ in pairs], dtype=np.int64)[rows]
    if tenanted(sim):
        jour = np.array([pair_journey(sim, j) for _, j in pairs], dtype=np.int64)[rows]
    else:
        jour = np.array([j for _, j in pairs], dtype=np.int64)[rows]
    journeys = column(sim.world.journeys, len(sim.world.journeys))
    labels = Labels(
        {"service": names(sim)[comp], "endpoint": journeys[jour], "region": regions(sim)[comp]},
        len(rows),
    )
    if tenanted(sim):
        tenant = column((pair_tenant(sim, j) for _, j in pairs), len(pairs))
        if any(t is not None for t in tenant.tolist()):
            labels.cols["tenant"] = tenant[rows]
    return labels


def requests(sim: Simulator, comps: list[int], hi: int, m: list[Matcher]) -> Frame:
    """``http_requests_total{service, endpoint, code, version, region}`` per-tick rates."""
    on = emitting(sim)
    comps = [i for i in comps if on[i]]
    pairs, rate, err, _, _ = journey_split(sim, comps, hi, latency=False)
    want = [x for x in m if x.label == "code"]
    codes = [c for c, name in enumerate(("200", "500")) if all(x.test(name) for x in want)]
    lim = quota_limited(sim)
    want429 = bool(lim) and all(x.test("429") for x in want)
    added500 = want429 and 1 not in codes
    if added500:  # the 500s are computed to split the 429s from them, then left out
        codes.append(1)
    single = simple_versions(sim, dict.fromkeys(i for i, _ in pairs), hi)
    # one series per (pair, version, code), in that order
    shares: dict[int, tuple[F, F]] = {}  # series -> (share, adjustment) when the mix changed
    comp_of = np.array([i for i, _ in pairs], dtype=np.int64)
    if all(v is not None for v in single.values()):
        n = len(pairs) * len(codes)
        pair_of = np.repeat(np.arange(len(pairs), dtype=np.int64), len(codes))
        code_of = np.tile(np.array(codes, dtype=np.int64), len(pairs))
        version = column((single[i] for i in comp_of[pair_of].tolist()), n)
    else:
        s_pair: list[int] = []
        s_code: list[int] = []
        s_version: list[str] = []
        for p, (i, _) in enumerate(pairs):
            v = single[i]
            mixes = version_shares(sim, i, hi) if v is None else {v: None}
            for ver, sa in mixes.items():
                for c in codes:
                    if sa is not None:
                        shares[len(s_pair)] = sa
                    s_pair.append(p)
                    s_code.append(c)
                    s_version.append(ver)
        n = len(s_pair)
        pair_of = np.array(s_pair, dtype=np.int64)
        code_of = np.array(s_code, dtype=np.int64)
        version = column(s_version, n)
    # a quota's refusals are 429s: each 500 series of a component a quota may limit gets a
    # 429 twin, and the refused share moves from the one to the other (the twins are left
    # out again when the query does not ask for 429s)
    twins: dict[int, int] = {}  # 500 series -> its 429 series
    if lim:
        fives = [s for s in range(n) if code_of[s] == 1 and int(comp_of[pair_of[s]]) in lim]
        twins = {s: n + a for a, s in enumerate(fives)}
        if fives:
            extra = np.array(fives, dtype=np.int64)
            pair_of = np.concatenate([pair_of, pair_of[extra]])
            code_of = np.concatenate([code_of, np.full(len(extra), 2, np.int64)])
            version = np.concatenate([version, version[extra]])
            n += len(extra)
    labels = _pair_labels(sim, pairs, pair_of)
    labels.cols["code"] = np.array(["200", "500", "429"], dtype=object)[code_of]
    labels.cols["version"] = version
    refused = sim.refusals.window(0, hi, comp_of) if twins else None
    plain = np.ones(n, dtype=np.bool_)
    plain[list(shares)] = False
    plain[list(twins)] = False
    plain[list(twins.values())] = False
    groups = [(c, np.flatnonzero(plain & (code_of == c))) for c in codes]
    owner = comp_of[pair_of]
    dt = sim.dt

    def read(ticks: IntArr, cumulative: bool) -> F:
        r = rate[: int(ticks[-1]) + 1] if cumulative and len(ticks) else rate[ticks]
        e = err[: int(ticks[-1]) + 1] if cumulative and len(ticks) else err[ticks]
        out = np.empty((n, len(ticks)))
        for c, rows in groups:
            if not len(rows):
                continue
            cols = pair_of[rows]
            whole = len(cols) == rate.shape[1] and bool((cols == np.arange(len(cols))).all())
            ec = np.clip(e if whole else e[:, cols], 0.0, 1.0)
            part = ec if c == 1 else np.subtract(1.0, ec, dtype=np.float64)
            v = np.multiply(r if whole else r[:, cols], part, dtype=np.float64)
            out[rows] = cum_at(v, ticks, dt) if cumulative else v.T
        at = np.arange(len(r)) if cumulative else ticks
        for s, (share, adj) in shares.items():
            if s in twins:
                continue
            p = int(pair_of[s])
            ec = np.clip(e[:, p].astype(np.float64) + adj[at], 0.0, 1.0)
            part = ec if code_of[s] == 1 else 1.0 - ec
            v = r[:, p].astype(np.float64) * share[at] * part
            out[s] = cum_at(v[:, None], ticks, dt)[0] if cumulative else v
        for s, s429 in twins.items():
            assert refused is not None
            p = int(pair_of[s])
            got = shares.get(s)
            ec = e[:, p].astype(np.float64) + (got[1][at] if got is not None else 0.0)
            ec = np.clip(ec, 0.0, 1.0)
            base = r[:, p].astype(np.float64) * (got[0][at] if got is not None else 1.0)
            no = np.minimum(refused[at, p], ec)
            for row, v in ((s, base * (ec - no)), (s429, base * no)):
                out[row] = cum_at(v[:, None], ticks, dt)[0] if cumulative else v
        return out

    frame = Frame(labels, owner, read, counter=True)
    keep = ~((code_of == 1) & added500) & ((code_of != 2) | want429)
    return frame if keep.all() else frame.take(np.flatnonzero(keep))


def latency(kind: str) -> Builder:
    """Latency histogram buckets, service-side quantiles, or the ``_sum``/``_count`` pair."""

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        on = emitting(sim)
        comps = [i for i in comps if on[i]]
        full = [
            i for i in comps if not sim.scenario.components[i].telemetry.dashboard_averages_only
        ]
        if kind in ("bucket", "quantile"):
            comps = full
        pairs, rate, _, mean, floor = journey_split(sim, comps, hi)
        npairs = len(pairs)
        if kind == "bucket":
            extra = ["+Inf" if le == float("inf") else f"{le:g}" for le in (*BUCKETS, np.inf)]
            name = "le"
        elif kind == "quantile":
            extra = [f"{q:g}" for q in QUANTILES]
            name = "quantile"
        else:
            extra, name = [], ""
        per = max(len(extra), 1)
        rows = np.repeat(np.arange(npairs, dtype=np.int64), per)
        labels = _pair_labels(sim, pairs, rows)
        if extra:
            labels.cols[name] = column(extra * npairs, npairs * per)
        owner = np.array([i for i, _ in pairs], dtype=np.int64)[rows]

        def values(at: IntArr | slice) -> F:
            """``[series, ticks]`` at ``at`` (each value as the per-pair formula gives it)."""
            rt = rate[at].T.astype(np.float64)
            mn = mean[at].T.astype(np.float64)
            fl = floor[at].T.astype(np.float64)
            spread = np.maximum(mn - fl, 1e-9)
            if kind == "bucket":
                out = np.empty((npairs, per, rt.shape[1]))
                for b, le in enumerate((*BUCKETS, float("inf"))):
                    with np.errstate(over="ignore"):
                        below = np.where(le > fl, 1.0 - np.exp(-(le - fl) / spread), 0.0)
                    out[:, b] = rt * below
            elif kind == "quantile":
                out = np.empty((npairs, per, rt.shape[1]))
                for b, q in enumerate(QUANTILES):
                    out[:, b] = fl + spread * -np.log1p(-q)
            else:
                return rt * mn if kind == "sum" else rt
            res: F = out.reshape(npairs * per, rt.shape[1])
            return res

        dt = sim.dt

        def read(ticks: IntArr, cumulative: bool) -> F:
            if cumulative:
                top = int(ticks[-1]) + 1 if len(ticks) else 0
                return cum_at(values(slice(0, top)), ticks, dt, axis=1)
            return values(ticks)

        return Frame(labels, owner, read, counter=kind != "quantile")

    return build
