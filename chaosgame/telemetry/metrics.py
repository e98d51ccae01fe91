"""The metric catalogue: Prometheus-style series derived from the simulation history.

Every series is read from ``sim.history`` (and the version mix the recorder keeps); none is
invented. A builder returns a :class:`~chaosgame.telemetry.series.Frame`: the labels of many
series, the component whose scrape settings decide when each was sampled, and a reader of
their true per-tick values (counters as per-tick *rates*; ``promeval`` reads them as
cumulative counts). Request and latency series are built in ``metrics_http``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.scenario.capacity import uses_limits
from chaosgame.telemetry.labels import Labels
from chaosgame.telemetry.metrics_http import BUCKETS, QUANTILES, latency, requests
from chaosgame.telemetry.promql import Matcher
from chaosgame.telemetry.series import (
    F,
    Frame,
    IntArr,
    comp_labels,
    cum_at,
    emitting,
    names,
    region_of,
    values_reader,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

__all__ = ["BUCKETS", "CATALOGUE", "QUANTILES", "F", "Frame", "Spec", "region_of", "select"]
Builder = Callable[["Simulator", list[int], int, list[Matcher]], Frame]


@dataclass(frozen=True)
class Spec:
    kind: str  # counter or gauge
    help: str
    labels: tuple[str, ...]
    build: Builder


def _keep(sim: Simulator, comps: list[int], kinds: tuple[str, ...] | None, own: bool) -> list[int]:
    on = emitting(sim)
    return [
        i for i in comps if (kinds is None or sim.world.kinds[i] in kinds) and (not own or on[i])
    ]


def _gauge(
    series: str, *, scale: float = 1.0, kinds: tuple[str, ...] | None = None, own: bool = True
) -> Builder:
    """A per-component gauge straight from a history series, read only at the ticks asked."""

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        keep = _keep(sim, comps, kinds, own)
        arr = sim.history.comp[series]

        def full() -> F:
            out: F = arr[:hi][:, keep].T.astype(np.float64) * scale
            return out

        tick_read = values_reader(full, sim.dt)

        def read(ticks: IntArr, cumulative: bool) -> F:
            if cumulative:
                return tick_read(ticks, True)
            out: F = arr[ticks][:, keep].T.astype(np.float64) * scale
            return out

        return Frame(comp_labels(sim, keep), np.array(keep, dtype=np.int64), read)

    return build


def _derived(
    fn: Callable[[Simulator, list[int], int], F],
    *,
    kinds: tuple[str, ...] | None = None,
    own: bool = True,
    counter: bool = False,
) -> Builder:
    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        keep = _keep(sim, comps, kinds, own)

        def values() -> F:
            return fn(sim, keep, hi) if keep else np.zeros((0, hi))

        owner = np.array(keep, dtype=np.int64)
        return Frame.of_values(comp_labels(sim, keep), values, owner, sim.dt, counter)

    return build


def _edges(series: str, how: str) -> Builder:
    """Client-side metrics the caller records about each dependency it calls."""

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        w, e = sim.world, sim.history.edge
        wanted = set(comps)
        edges = [x for x, i in enumerate(w.src.tolist()) if i in wanted and emitting(sim)[i]]
        if not edges:
            return Frame(Labels({}, 0), np.zeros(0, np.int64), Frame.empty().read, how == "counter")

        def values(at: IntArr | slice) -> F:
            rate = e["rate"][at][:, edges].T.astype(np.float64)
            if series == "rate":
                return rate
            if series == "errors":
                out: F = rate * e["fail"][at][:, edges].T
                return out
            if series == "breaker":
                b = e["breaker"][at][:, edges].T.astype(np.float64)
                return np.where(b == 1, 1.0, np.where(b == 2, 0.5, 0.0))
            return e[series][at][:, edges].T.astype(np.float64)

        def read(ticks: IntArr, cumulative: bool) -> F:
            if cumulative:
                top = int(ticks[-1]) + 1 if len(ticks) else 0
                return cum_at(values(slice(0, top)), ticks, sim.dt, axis=1)
            return values(ticks)

        src = w.src[edges].astype(np.int64)
        labels = Labels(
            {"service": names(sim)[src], "target": names(sim)[w.dst[edges]]}, len(edges)
        )
        return Frame(labels, src, read, how == "counter")

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


MIB = 1048576.0
CATALOGUE: dict[str, Spec] = {
    "http_requests_total": Spec(
        "counter",
        "requests served, by endpoint, status code and version",
        ("service", "endpoint", "code", "version", "region"),
        requests,
    ),
    "http_request_duration_seconds_bucket": Spec(
        "counter",
        "latency histogram buckets (use histogram_quantile)",
        ("service", "endpoint", "le", "region"),
        latency("bucket"),
    ),
    "http_request_duration_seconds": Spec(
        "gauge",
        "latency quantiles computed by the service (summary)",
        ("service", "endpoint", "quantile", "region"),
        latency("quantile"),
    ),
    "http_request_duration_seconds_sum": Spec(
        "counter",
        "total seconds spent serving (divide by _count for the mean)",
        ("service", "endpoint", "region"),
        latency("sum"),
    ),
    "http_request_duration_seconds_count": Spec(
        "counter", "requests timed", ("service", "endpoint", "region"), latency("count")
    ),
    "client_requests_total": Spec(
        "counter",
        "calls a service made to a dependency, retries included",
        ("service", "target"),
        _edges("rate", "counter"),
    ),
    "client_errors_total": Spec(
        "counter",
        "failed or timed-out calls to a dependency",
        ("service", "target"),
        _edges("errors", "counter"),
    ),
    "client_request_duration_seconds": Spec(
        "gauge",
        "mean time a call to a dependency took",
        ("service", "target"),
        _edges("call_time", "gauge"),
    ),
    "circuit_breaker_state": Spec(
        "gauge",
        "1 open, 0.5 half-open, 0 closed",
        ("service", "target"),
        _edges("breaker", "gauge"),
    ),
    "client_pool_wait_ratio": Spec(
        "gauge",
        "share of calls that found no free pooled connection",
        ("service", "target"),
        _edges("pool_wait", "gauge"),
    ),
    "cpu_usage_ratio": Spec(
        "gauge",
        "CPU used per replica as a share of its limit",
        ("service", "region"),
        _gauge("cpu"),
    ),
    "cpu_throttled_ratio": Spec(
        "gauge",
        "share of time the CPU limit throttled the container",
        ("service", "region"),
        _derived(_throttled),
    ),
    "memory_working_set_bytes": Spec(
        "gauge", "resident memory per replica", ("service", "region"), _gauge("memory", scale=MIB)
    ),
    "memory_limit_bytes": Spec(
        "gauge", "memory limit per replica", ("service", "region"), _derived(_mem_limit)
    ),
    "saturation_ratio": Spec(
        "gauge",
        "busy share of capacity (utilisation)",
        ("service", "region"),
        _gauge("utilisation"),
    ),
    "request_queue_depth": Spec(
        "gauge", "requests waiting for a worker", ("service", "region"), _gauge("backlog")
    ),
    "kube_deployment_status_replicas_available": Spec(
        "gauge",
        "ready replicas (from the orchestrator)",
        ("service", "region"),
        _gauge("replicas", own=False),
    ),
    "kube_deployment_spec_replicas": Spec(
        "gauge",
        "replicas asked for (from the orchestrator)",
        ("service", "region"),
        _gauge("desired", own=False),
    ),
    "kube_pod_container_status_restarts_total": Spec(
        "counter",
        "container restarts (from the orchestrator)",
        ("service", "region"),
        _derived(_restarts, own=False, counter=True),
    ),
    "up": Spec(
        "gauge",
        "1 while at least one replica is up",
        ("service", "region"),
        _derived(_up, own=False),
    ),
    "db_connections_in_use": Spec(
        "gauge",
        "connections held open to the database",
        ("service", "region"),
        _gauge("connections", kinds=("database",)),
    ),
    "db_connections_max": Spec(
        "gauge",
        "the database's connection limit",
        ("service", "region"),
        _derived(_max_conn, kinds=("database",)),
    ),
    "replication_lag_seconds": Spec(
        "gauge",
        "how far a replica is behind its primary",
        ("service", "region"),
        _gauge("replication_lag", kinds=("database",)),
    ),
    "disk_used_bytes": Spec(
        "gauge",
        "disk used",
        ("service", "region"),
        _gauge("disk", scale=1e9, kinds=("database", "queue")),
    ),
    "queue_depth": Spec(
        "gauge", "messages waiting", ("service", "region"), _gauge("backlog", kinds=("queue",))
    ),
    "queue_consumer_lag_seconds": Spec(
        "gauge",
        "seconds of backlog at the drain rate",
        ("service", "region"),
        _gauge("consumer_lag", kinds=("queue",)),
    ),
    "cache_hit_ratio": Spec(
        "gauge",
        "share of reads served from the cache",
        ("service", "region"),
        _gauge("cache_hit", kinds=("cache",)),
    ),
}


def _pending(sim: Simulator, comps: list[int], hi: int) -> F:
    from chaosgame.engine.capacity import pending_at

    return np.array(
        [[pending_at(sim, t, i)[0] for t in range(hi)] for i in comps], dtype=np.float64
    ).reshape(len(comps), hi)


CAPACITY: dict[str, Spec] = {
    "kube_pod_status_pending": Spec(
        "gauge",
        "pods of the service waiting for room to start: quota, node CPU or a free address "
        "(from the orchestrator)",
        ("service", "region"),
        _derived(_pending, own=False),
    ),
}
"""Metrics of scenarios whose clusters have capacity limits."""


def catalogue_of(sim: Simulator) -> dict[str, Spec]:
    """The built-in catalogue, the scenario's noise gauges (``telemetry.noise``), the
    capacity gauges where clusters have limits, the counters of flag-gated features
    (``telemetry.features``) and of connections opened (``telemetry.connections``), and its
    own metrics (``telemetry.authored``)."""
    from chaosgame.telemetry import authored, connections, features, noise

    out = CATALOGUE | noise.metric_specs(sim) if sim.scenario.noise.metrics else CATALOGUE
    if uses_limits(sim.scenario):
        out = out | CAPACITY
    if sim.features is not None:
        out = out | features.metric_specs(sim)
    if sim.world.load is not None:
        out = out | connections.metric_specs(sim)
    own = authored.metric_specs(sim)
    return {**out, **own} if own else out


def select(sim: Simulator, name: str | None, matchers: list[Matcher], hi: int) -> Frame:
    """Every series of metric ``name`` matching ``matchers``, for ticks ``[0, hi)``."""
    from chaosgame.telemetry.errors import QueryError, suggest

    catalogue = catalogue_of(sim)
    wanted = [name] if name else list(catalogue)
    for x in matchers:
        if x.label == "__name__":
            wanted = [n for n in wanted if x.test(n)]
    if name is not None and name not in catalogue:
        raise QueryError(suggest(name, catalogue, "metric"), token=name)
    comps = list(range(sim.world.n))
    for x in matchers:
        if x.label == "service":
            if x.op == "=" and x.value not in sim.world.index:
                raise QueryError(suggest(x.value, sim.world.names, "service"), token=f'"{x.value}"')
            if x.op == "=":
                comps = [i for i in (sim.world.index[x.value],) if i in comps]
            else:
                comps = [i for i in comps if x.test(sim.world.names[i])]
    frames = []
    for n in wanted:
        fr = catalogue[n].build(sim, comps, hi, matchers)
        fr.labels = fr.labels.with_value("__name__", n)
        ok = np.ones(len(fr), dtype=np.bool_)
        for x in matchers:
            ok &= fr.labels.matches(x)
        if not ok.all():
            fr = fr.take(np.flatnonzero(ok))
        frames.append(fr)
    if len(frames) == 1:
        return frames[0]
    if not frames:
        return Frame.empty()
    return Frame.concat(frames)
