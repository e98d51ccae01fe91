"""The metric series as the first telemetry release built them, kept as a test reference.

Every series at every tick of ``[0, hi)``, labels as one dict per series, per-pair Python
loops: slow, but straightforward. ``tests/telemetry/test_metrics_fastpath.py`` checks that the
fast readers in ``chaosgame.telemetry`` give the same series, labels and values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.telemetry.gaps import has
from chaosgame.telemetry.promql import Matcher
from chaosgame.telemetry.recorder import recorder
from chaosgame.telemetry.series import region_of

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

F = NDArray[np.float64]
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUANTILES = (0.5, 0.9, 0.99)
Builder = Callable[["Simulator", list[int], int, list[Matcher]], "Frame"]


@dataclass
class Frame:
    """Many series: labels, values ``[S, T]`` (NaN where nothing was true), owner component."""

    labels: list[dict[str, str]]
    values: F
    owner: NDArray[np.int64]
    counter: bool = False

    @staticmethod
    def empty(t: int) -> Frame:
        return Frame([], np.zeros((0, t)), np.zeros(0, np.int64))


def _comp_frame(
    sim: Simulator, comps: list[int], hi: int, series: str, scale: float = 1.0
) -> Frame:
    vals = sim.history.comp[series][:hi][:, comps].T.astype(np.float64) * scale
    labels = [{"service": sim.world.names[i], "region": region_of(sim, i)} for i in comps]
    return Frame(labels, vals, np.array(comps, dtype=np.int64))


def _gauge(
    series: str, *, scale: float = 1.0, kinds: tuple[str, ...] | None = None, own: bool = True
) -> Callable[[Simulator, list[int], int, list[Matcher]], Frame]:
    """A per-component gauge straight from a history series."""

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        keep = [
            i
            for i in comps
            if (kinds is None or sim.world.kinds[i] in kinds)
            and (not own or has(sim, i, "metrics"))
        ]
        return _comp_frame(sim, keep, hi, series, scale)

    return build


def _derived(
    fn: Callable[[Simulator, list[int], int], F],
    *,
    kinds: tuple[str, ...] | None = None,
    own: bool = True,
    counter: bool = False,
) -> Callable[[Simulator, list[int], int, list[Matcher]], Frame]:
    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        keep = [
            i
            for i in comps
            if (kinds is None or sim.world.kinds[i] in kinds)
            and (not own or has(sim, i, "metrics"))
        ]
        labels = [{"service": sim.world.names[i], "region": region_of(sim, i)} for i in keep]
        vals = fn(sim, keep, hi) if keep else np.zeros((0, hi))
        return Frame(labels, vals, np.array(keep, dtype=np.int64), counter)

    return build


def version_shares(sim: Simulator, i: int, hi: int) -> dict[str, tuple[F, F]]:
    """Per version: (share of traffic, error rate adjustment) for ticks ``[0, hi)``."""
    rec = recorder(sim)
    key = f"reference/versions/{i}/{hi}"
    if key in rec.cache:
        out: dict[str, tuple[F, F]] = rec.cache[key]
        return out
    rolled = any(i in rec.mixes[t] for t in range(min(hi, len(rec.mixes))))
    bases = rec.base.get(i, [(0, sim.scenario.components[i].version)])
    out = {}
    if not rolled and len(bases) == 1:
        out[bases[0][1]] = (np.ones(hi), np.zeros(hi))
    else:
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


def _journey_split(
    sim: Simulator, comps: list[int], hi: int, latency: bool = True
) -> tuple[list[tuple[int, int]], F, F, F, F]:
    """(component, journey) pairs with traffic, and per pair: rate, errors, mean, floor."""
    w, h = sim.world, sim.history
    pairs: list[tuple[int, int]] = []
    rates, errs, means, floors = [], [], [], []
    for j in range(len(w.journeys)):
        ks = np.flatnonzero(w.class_journey == j)
        kslice = slice(int(ks[0]), int(ks[-1]) + 1)
        o = _cols(h.cls["offered"], hi, comps)[:, kslice]  # T, K, C
        tot = o.sum(1, dtype=np.float64) if len(ks) > 1 else o[:, 0].astype(np.float64)
        seen = np.flatnonzero(tot.max(0) > 0) if hi else np.zeros(0, np.int64)
        if not seen.size:
            continue
        pairs.extend((comps[int(c)], j) for c in seen)
        tot = tot[:, seen]
        rates.append(tot.T)
        if len(ks) == 1:
            pick = [comps[int(c)] for c in seen]
            errs.append(h.cls["errors"][:hi, ks[0]][:, pick].T.astype(np.float64))
            if latency:
                means.append(h.cls["latency"][:hi, ks[0]][:, pick].T.astype(np.float64))
                floors.append(h.cls["floor"][:hi, ks[0]][:, pick].T.astype(np.float64))
            continue
        o = o[:, :, seen].astype(np.float64)
        wgt = o / np.maximum(tot[:, None, :], 1e-12)
        pick = [comps[int(c)] for c in seen]
        errs.append((h.cls["errors"][:hi, kslice][:, :, pick] * wgt).sum(1).T)
        if latency:
            means.append((h.cls["latency"][:hi, kslice][:, :, pick] * wgt).sum(1).T)
            floors.append((h.cls["floor"][:hi, kslice][:, :, pick] * wgt).sum(1).T)
    if not pairs:
        z = np.zeros((0, hi))
        return pairs, z, z, z, z
    out_m = np.vstack(means) if means else np.zeros((len(pairs), hi))
    out_f = np.vstack(floors) if floors else np.zeros((len(pairs), hi))
    return pairs, np.vstack(rates), np.vstack(errs), out_m, out_f


def _requests(sim: Simulator, comps: list[int], hi: int, m: list[Matcher]) -> Frame:
    """``http_requests_total{service, endpoint, code, version, region}`` per-tick rates."""
    comps = [i for i in comps if has(sim, i, "metrics")]
    pairs, rate, err, _, _ = _journey_split(sim, comps, hi, latency=False)
    labels: list[dict[str, str]] = []
    rows: list[F] = []
    owner: list[int] = []
    want_code = [x for x in m if x.label == "code"]
    for p, (i, j) in enumerate(pairs):
        base = {
            "service": sim.world.names[i],
            "endpoint": sim.world.journeys[j],
            "region": region_of(sim, i),
        }
        for version, (share, adj) in version_shares(sim, i, hi).items():
            e = np.clip(err[p] + adj, 0.0, 1.0)
            for code, part in (("200", 1.0 - e), ("500", e)):
                if want_code and not all(x.test(code) for x in want_code):
                    continue
                labels.append({**base, "code": code, "version": version})
                rows.append(rate[p] * share * part)
                owner.append(i)
    vals = np.vstack(rows) if rows else np.zeros((0, hi))
    return Frame(labels, vals, np.array(owner, dtype=np.int64), counter=True)


def _latency_frame(kind: str) -> Callable[[Simulator, list[int], int, list[Matcher]], Frame]:
    def build(sim: Simulator, comps: list[int], hi: int, m: list[Matcher]) -> Frame:
        comps = [i for i in comps if has(sim, i, "metrics")]
        full = [
            i for i in comps if not sim.scenario.components[i].telemetry.dashboard_averages_only
        ]
        if kind in ("bucket", "quantile"):
            comps = full
        pairs, rate, _, mean, floor = _journey_split(sim, comps, hi)
        labels: list[dict[str, str]] = []
        rows: list[F] = []
        owner: list[int] = []
        spread = np.maximum(mean - floor, 1e-9)
        for p, (i, j) in enumerate(pairs):
            base = {
                "service": sim.world.names[i],
                "endpoint": sim.world.journeys[j],
                "region": region_of(sim, i),
            }
            if kind == "bucket":
                for le in (*BUCKETS, float("inf")):
                    with np.errstate(over="ignore"):
                        below = np.where(
                            le > floor[p], 1.0 - np.exp(-(le - floor[p]) / spread[p]), 0.0
                        )
                    labels.append({**base, "le": "+Inf" if le == float("inf") else f"{le:g}"})
                    rows.append(rate[p] * below)
                    owner.append(i)
            elif kind == "quantile":
                for q in QUANTILES:
                    labels.append({**base, "quantile": f"{q:g}"})
                    rows.append(floor[p] + spread[p] * -np.log1p(-q))
                    owner.append(i)
            else:
                labels.append(base)
                rows.append(rate[p] * mean[p] if kind == "sum" else rate[p])
                owner.append(i)
        vals = np.vstack(rows) if rows else np.zeros((0, hi))
        return Frame(labels, vals, np.array(owner, dtype=np.int64), counter=kind != "quantile")

    return build


def _edges(series: str, how: str) -> Callable[[Simulator, list[int], int, list[Matcher]], Frame]:
    """Client-side metrics the caller records about each dependency it calls."""

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        w, e = sim.world, sim.history.edge
        wanted = set(comps)
        edges = [
            x for x in range(w.e) if int(w.src[x]) in wanted and has(sim, int(w.src[x]), "metrics")
        ]
        if not edges:
            return Frame([], np.zeros((0, hi)), np.zeros(0, np.int64), how == "counter")
        rate = e["rate"][:hi][:, edges].T.astype(np.float64)
        if series == "rate":
            vals = rate
        elif series == "errors":
            vals = rate * e["fail"][:hi][:, edges].T
        elif series == "breaker":
            b = e["breaker"][:hi][:, edges].T.astype(np.float64)
            vals = np.where(b == 1, 1.0, np.where(b == 2, 0.5, 0.0))
        else:
            vals = e[series][:hi][:, edges].T.astype(np.float64)
        labels = [
            {"service": w.names[int(w.src[x])], "target": w.names[int(w.dst[x])]} for x in edges
        ]
        return Frame(labels, vals, w.src[edges].astype(np.int64), how == "counter")

    return build


def _restarts(sim: Simulator, comps: list[int], hi: int) -> F:
    r = sim.history.comp["restarts"][:hi][:, comps].T.astype(np.float64)
    d = np.diff(r, axis=1, prepend=0.0)
    out: F = d / sim.dt
    return out


def _throttled(sim: Simulator, comps: list[int], hi: int) -> F:
    t = sim.history.comp["throttle"][:hi][:, comps].T.astype(np.float64)
    out: F = (t - 1.0) / np.maximum(t, 1.0)
    return out


def _mem_limit(sim: Simulator, comps: list[int], hi: int) -> F:
    return np.repeat(sim.world.mem_limit[comps][:, None] * 1048576.0, hi, axis=1)


def _max_conn(sim: Simulator, comps: list[int], hi: int) -> F:
    return np.repeat(sim.world.max_connections[comps][:, None], hi, axis=1)


def _up(sim: Simulator, comps: list[int], hi: int) -> F:
    r = sim.history.comp["replicas"][:hi][:, comps].T
    out: F = (r > 0).astype(np.float64)
    return out


CATALOGUE: dict[str, Builder] = {
    "http_requests_total": _requests,
    "http_request_duration_seconds_bucket": _latency_frame("bucket"),
    "http_request_duration_seconds": _latency_frame("quantile"),
    "http_request_duration_seconds_sum": _latency_frame("sum"),
    "http_request_duration_seconds_count": _latency_frame("count"),
    "client_requests_total": _edges("rate", "counter"),
    "client_errors_total": _edges("errors", "counter"),
    "client_request_duration_seconds": _edges("call_time", "gauge"),
    "circuit_breaker_state": _edges("breaker", "gauge"),
    "client_pool_wait_ratio": _edges("pool_wait", "gauge"),
    "cpu_usage_ratio": _gauge("cpu"),
    "cpu_throttled_ratio": _derived(_throttled),
    "memory_working_set_bytes": _gauge("memory", scale=1048576.0),
    "memory_limit_bytes": _derived(_mem_limit),
    "saturation_ratio": _gauge("utilisation"),
    "request_queue_depth": _gauge("backlog"),
    "kube_deployment_status_replicas_available": _gauge("replicas", own=False),
    "kube_deployment_spec_replicas": _gauge("desired", own=False),
    "kube_pod_container_status_restarts_total": _derived(_restarts, own=False, counter=True),
    "up": _derived(_up, own=False),
    "db_connections_in_use": _gauge("connections", kinds=("database",)),
    "db_connections_max": _derived(_max_conn, kinds=("database",)),
    "replication_lag_seconds": _gauge("replication_lag", kinds=("database",)),
    "disk_used_bytes": _gauge("disk", scale=1e9, kinds=("database", "queue")),
    "queue_depth": _gauge("backlog", kinds=("queue",)),
    "queue_consumer_lag_seconds": _gauge("consumer_lag", kinds=("queue",)),
    "cache_hit_ratio": _gauge("cache_hit", kinds=("cache",)),
}


def select(sim: Simulator, name: str | None, matchers: list[Matcher], hi: int) -> Frame:
    """Every series of metric ``name`` matching ``matchers``, for ticks ``[0, hi)``."""
    from chaosgame.telemetry.errors import QueryError, suggest

    names = [name] if name else list(CATALOGUE)
    for x in matchers:
        if x.label == "__name__":
            names = [n for n in names if x.test(n)]
    if name is not None and name not in CATALOGUE:
        raise QueryError(suggest(name, CATALOGUE, "metric"), token=name)
    comps = list(range(sim.world.n))
    for x in matchers:
        if x.label == "service":
            if x.op == "=" and x.value not in sim.world.index:
                raise QueryError(suggest(x.value, sim.world.names, "service"), token=f'"{x.value}"')
            comps = [i for i in comps if x.test(sim.world.names[i])]
    frames = []
    for n in names:
        fr = CATALOGUE[n](sim, comps, hi, matchers)
        keep = [
            s
            for s, lab in enumerate(fr.labels)
            if all(x.test({**lab, "__name__": n}.get(x.label, "")) for x in matchers)
        ]
        for lab in fr.labels:
            lab["__name__"] = n
        if len(keep) != len(fr.labels):
            fr = Frame([fr.labels[s] for s in keep], fr.values[keep], fr.owner[keep], fr.counter)
        frames.append(fr)
    if len(frames) == 1:
        return frames[0]
    if not frames:
        return Frame.empty(hi)
    return Frame(
        [lab for f in frames for lab in f.labels],
        np.vstack([f.values for f in frames]),
        np.concatenate([f.owner for f in frames]),
        all(f.counter for f in frames),
    )
