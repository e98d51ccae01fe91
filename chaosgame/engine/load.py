"""Load-dependent resources: memory in flight, workers per replica, contention collapse and
reconnect herds (``Component.resources``; docs/architecture.md, "Load-dependent resources").

The laws act through the tick's modifiers, written once faults and standing mitigations have
written theirs (:func:`before_flow`), and through state carried between ticks
(:class:`LoadState`, updated by :func:`after_tick`). Only the queueing of a component with
workers needs the tick's own pass (:func:`worker_latency`). A scenario that uses none of it
and pools no call has no :class:`LoadParams` (``World.load`` is ``None``) and the simulator
never calls here.

- **Memory in flight**: a replica's working set grows by ``memory_per_request_mb`` per request
  it has in flight (Little: served rate x time in system) and ``memory_per_call_mb`` per call
  it has in flight to its dependencies; the memory law OOMKills at the limit.
- **Workers**: a replica serves at most ``workers`` requests at a time, each holding its worker
  for its own service time plus the time it waits on its dependencies, so throughput is at most
  ``replicas x workers / hold``; requests wait as in an M/M/c queue with
  ``c = replicas x workers``.
- **Contention** (the Universal Scalability Law): with ``N`` connections in use per replica,
  ``X(N) = g N / (1 + a (N - 1) + b N (N - 1))``, peaking at ``N* = sqrt((1 - a) / b)`` where
  it equals the component's ``capacity``. A replica that is not overloaded can reach ``N*``
  (or its connection cap); one that holds more connections than ``N*`` serves ``X(N)``, less,
  and slow queries keep the connections held: the collapse outlives its trigger.
- **Reconnect herds**: callers' pools reopen at once when the store's replicas restart or fail
  over, and a restarted caller's pools open at once; handshakes take the store's CPU
  (``connect_cpu``, or its kind's default: ``engine/restart_costs.py``) and, past saturation,
  none completes within the connect timeout, so the herd goes on until it is spread or smaller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import physics as ph
from chaosgame.engine.physics import TINY

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers
    from chaosgame.engine.world import World

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

SMOOTHING = 0.5
"""Weight of last tick's value in the hold time and concurrency the laws read (as the tick
smooths call times), so a ten-second lag does not ring."""
CONNECT_TIMEOUT = 10.0
"""Seconds a client waits for a new connection before it gives up and tries again."""
CPU_AT_CAPACITY = 0.6
"""Share of its CPU limit a replica uses at its rated capacity (as in the tick)."""
LEAST_CPU_LEFT = 0.02
"""Share of CPU queries still get while handshakes saturate a store (the scheduler's slice)."""


@dataclass(frozen=True)
class LoadParams:
    """Which components use which law, compiled once per world."""

    workers: F64  # inf where unlimited
    worker_idx: I64
    mem_request: F64
    mem_call: F64
    memory: bool
    sync_edges: I64  # synchronous edges (their calls hold memory and workers)
    alpha: F64
    beta: F64
    usl_idx: I64
    knee: F64  # N* per component (inf without coherency)
    peak: F64  # s(N*) of the dimensionless USL curve (1/alpha at infinity)
    connect_cpu: F64
    herd_edges: I64  # pooled synchronous edges (every store pays for its handshakes)
    spread: F64  # per caller: reconnect spread


def compile_load(w: World) -> LoadParams | None:
    """The laws this world uses, or ``None`` where no component has ``resources`` and no
    call goes through a connection pool."""
    comps = w.scenario.components
    specs = [c.resources for c in comps]
    sync = np.flatnonzero(~w.is_async)
    pooled = sync[w.pool[sync] > 0]
    if all(r is None for r in specs) and pooled.size == 0:
        return None

    def field(name: str, default: float) -> F64:
        vals = [default if r is None else getattr(r, name) for r in specs]
        return np.array([default if v is None else float(v) for v in vals], dtype=np.float64)

    workers = field("workers", np.inf)
    alpha, beta = field("contention", 0.0), field("coherency", 0.0)
    usl = (alpha > 0) | (beta > 0)
    knee = np.where(beta > 0, np.sqrt((1.0 - alpha) / np.maximum(beta, TINY)), np.inf)
    finite = np.where(beta > 0, knee, 1.0)
    amdahl = np.where(alpha > 0, 1.0 / np.maximum(alpha, TINY), 1.0)
    peak = np.where(beta > 0, usl_shape(finite, alpha, beta), amdahl)
    from chaosgame.engine.restart_costs import default_connect_cpu

    # every pooled store pays for the connections it accepts (its own cost, or its kind's)
    declared = field("connect_cpu", 0.0)
    kinds = np.array([default_connect_cpu(c.kind) for c in comps], dtype=np.float64)
    connect = np.where(declared > 0, declared, kinds)
    mem_request, mem_call = field("memory_per_request_mb", 0.0), field("memory_per_call_mb", 0.0)
    herd = pooled
    return LoadParams(
        workers=workers,
        worker_idx=np.flatnonzero(np.isfinite(workers)),
        mem_request=mem_request,
        mem_call=mem_call,
        memory=bool((mem_request > 0).any() or (mem_call > 0).any()),
        sync_edges=sync,
        alpha=alpha,
        beta=beta,
        usl_idx=np.flatnonzero(usl),
        knee=knee,
        peak=peak,
        connect_cpu=connect,
        herd_edges=herd,
        spread=field("reconnect_spread", 0.0),
    )


def usl_shape(n: F64, alpha: F64, beta: F64) -> F64:
    """``N / (1 + a (N - 1) + b N (N - 1))``: relative throughput at concurrency ``N``."""
    out: F64 = n / (1.0 + alpha * (n - 1.0) + beta * n * (n - 1.0))
    return out


def usl_stretch(n: F64, alpha: F64, beta: F64) -> F64:
    """``1 + a (N - 1) + b N (N - 1)``: how much longer each query takes at concurrency ``N``
    than alone (response time ``N / X(N)``), at least one."""
    m = np.maximum(n, 1.0)
    out: F64 = 1.0 + alpha * (m - 1.0) + beta * m * (m - 1.0)
    return out


@dataclass
class LoadState:
    """What the laws carry from one tick to the next."""

    hold: F64  # seconds a request holds a worker (smoothed)
    concurrency: F64  # connections in use per replica (smoothed)
    open: F64  # per edge: connections the callers' pools hold open
    store_ready: F64  # replicas of each component seen last tick
    worker_factor: F64  # share of the CPU-bound capacity the workers allow, this tick
    hold_now: F64  # the hold time used this tick
    storm: NDArray[np.bool_]  # per component: a reconnect herd saturates it (noted once)
    handshakes: F64  # per component: share of its CPU new connections take this tick
    opened: dict[int, F64] = field(default_factory=dict)
    """Connections per second each component accepted (pools opening), by tick; only the
    ticks on which some opened."""
    since: float = 0.0  # time of the last tick seen (resets after it act)

    @classmethod
    def initial(cls, w: World, p: LoadParams) -> LoadState:
        n = w.n
        target = w.pool * w.replicas[w.src]
        return cls(
            hold=w.service_time.copy(),
            concurrency=np.zeros(n),
            open=target,
            store_ready=w.replicas.copy(),
            worker_factor=np.ones(n),
            hold_now=w.service_time.copy(),
            storm=np.zeros(n, dtype=np.bool_),
            handshakes=np.zeros(n),
        )


def before_flow(sim: Simulator, m: Modifiers) -> None:
    """Write this tick's load-dependent modifiers (memory, workers, contention, herds)."""
    p, ls = sim.world.load, sim.load_state
    assert p is not None
    assert ls is not None
    if p.memory:
        _memory(sim, m, p)
    if p.herd_edges.size:
        _herd(sim, m, p, ls)
    if p.worker_idx.size:
        _workers(sim, m, p, ls)
    if p.usl_idx.size:
        _contention(sim, m, p, ls)


def _memory(sim: Simulator, m: Modifiers, p: LoadParams) -> None:
    """Working set from last tick's requests and calls in flight (Little's law)."""
    w, st = sim.world, sim.state
    ready = np.maximum(st.ready, 0.0)
    inflight = (sim.served * sim.lat).sum(0)
    e = p.sync_edges
    calls = np.bincount(
        w.src[e], sim.edge_rate[:, e].sum(0) * st.call_time[e], minlength=w.n
    ).astype(np.float64)
    extra = p.mem_request * inflight + p.mem_call * calls
    m.mem_add += np.where(ready > 0, extra / np.maximum(ready, TINY), 0.0)


def _workers(sim: Simulator, m: Modifiers, p: LoadParams, ls: LoadState) -> None:
    """Capacity is at most ``workers / hold`` per replica."""
    w = sim.world
    i = p.worker_idx
    cpu_cap = w.capacity[i] * m.cap_factor[i] / m.svc_factor[i]
    allowed = p.workers[i] / np.maximum(ls.hold[i], 1e-6)
    factor = np.minimum(1.0, allowed / np.maximum(cpu_cap, TINY))
    ls.worker_factor[i] = factor
    ls.hold_now[i] = ls.hold[i]
    m.cap_factor[i] *= factor


def worker_latency(
    sim: Simulator, m: Modifiers, served: F64, cap: F64, throttle: F64, own_lat: F64
) -> F64:
    """Own latency of components with workers: service plus the longer of the two waits, for
    the CPU (``replicas`` servers) and for a worker (``replicas x workers`` servers, each
    held for the hold time); plus any backlog, as the tick adds it."""
    p, ls, w, st = sim.world.load, sim.load_state, sim.world, sim.state
    assert p is not None
    assert ls is not None
    i = p.worker_idx
    out = own_lat.copy()
    reps = np.maximum(st.ready[i], 0.0)
    svc = w.service_time[i] * m.svc_factor[i] * throttle[i]
    total = served[:, i].sum(0)
    c = cap[i]
    cpu_cap = c / np.maximum(ls.worker_factor[i], TINY)
    rho_cpu = np.where(cpu_cap > TINY, total / np.maximum(cpu_cap, TINY), 1.0)
    hold = ls.hold_now[i]
    servers = reps * p.workers[i]
    rho_w = np.where(servers > 0, total * hold / np.maximum(servers, TINY), 1.0)
    wait_cpu = ph.queueing_delay(svc, rho_cpu, reps) - svc
    wait_w = ph.queueing_delay(hold, rho_w, servers) - hold
    backlog = np.where(c > TINY, st.syncq[i] / np.maximum(c, TINY), 0.0)
    out[i] = svc + np.maximum(wait_cpu, wait_w) + m.lat_add[i] + backlog
    return out


def _connection_cap(sim: Simulator, m: Modifiers, p: LoadParams) -> F64:
    """Connections each component can have in use: its ``max_connections`` and, where every
    caller has a pool, the pools' size (infinite otherwise)."""
    w, st = sim.world, sim.state
    e = p.sync_edges
    per_edge = np.where(w.pool[e] > 0, st.pool[e] * m.pool_factor[e] * st.ready[w.src[e]], np.inf)
    pooled = np.bincount(w.dst[e], per_edge, minlength=w.n).astype(np.float64)
    has_callers = np.bincount(w.dst[e], minlength=w.n) > 0
    pooled = np.where(has_callers, pooled, np.inf)
    return np.minimum(pooled, w.max_connections)


def _contention(sim: Simulator, m: Modifiers, p: LoadParams, ls: LoadState) -> None:
    """The Universal Scalability Law: throughput at the concurrency the replica is held at."""
    w, st = sim.world, sim.state
    i = p.usl_idx
    reps = np.maximum(st.ready[i], 0.0)
    cap_n = _connection_cap(sim, m, p)[i] / np.maximum(reps, TINY)
    a, b = p.alpha[i], p.beta[i]
    n = np.minimum(ls.concurrency[i], cap_n)
    reach = np.minimum(np.maximum(n, p.knee[i]), cap_n)
    shape = np.where(
        np.isfinite(reach), usl_shape(np.where(np.isfinite(reach), reach, 1.0), a, b), p.peak[i]
    )
    m.cap_factor[i] *= shape / p.peak[i]
    m.lat_add[i] += w.service_time[i] * m.svc_factor[i] * (usl_stretch(n, a, b) - 1.0)


def _herd(sim: Simulator, m: Modifiers, p: LoadParams, ls: LoadState) -> None:
    """Pools reopen the connections their store dropped; handshakes cost the store CPU."""
    w, st = sim.world, sim.state
    e = p.herd_edges
    src, dst = w.src[e], w.dst[e]
    ready = np.maximum(st.ready, 0.0)
    # connections on replicas that went away (restart, crash, failover) are gone
    kept = np.where(
        ls.store_ready > 0, np.minimum(ready / np.maximum(ls.store_ready, TINY), 1.0), 1.0
    )
    gone = [i for (what, i), at in st.resets.items() if what == "failover" and at >= ls.since]
    moved = np.isin(dst, gone)
    target = st.pool[e] * ready[src]
    opened = np.minimum(ls.open[e] * kept[dst] * ~moved, target)
    missing = np.where(ready[dst] > 0, target - opened, 0.0)
    attempts = missing / np.maximum(p.spread[src], CONNECT_TIMEOUT)
    cores = ready * st.cpu_limit
    handshake = np.bincount(dst, attempts * p.connect_cpu[dst], minlength=w.n).astype(np.float64)
    u_hs = np.where(cores > 0, handshake / np.maximum(cores, TINY), 0.0)
    served = sim.served.sum(0)
    cpu_per_req = w.cpu_limit * CPU_AT_CAPACITY / w.capacity * m.cpu_factor / st.cpu_limit
    u_q = np.where(ready > 0, served / np.maximum(ready, TINY) * cpu_per_req, 0.0)
    u = u_q + u_hs
    # processor sharing: a handshake takes connect_cpu / (1 - u); share done before the timeout
    cost = np.maximum(p.connect_cpu, TINY)
    in_time = np.where(u < 1.0, -np.expm1(-CONNECT_TIMEOUT * np.maximum(1.0 - u, 0.0) / cost), 0.0)
    done = np.minimum(attempts * sim.dt * in_time[dst], missing)
    ls.open[e] = opened + done
    if done.any():
        ls.opened[sim.tick] = np.bincount(dst, done / sim.dt, minlength=w.n).astype(np.float64)
    ls.store_ready = ready.copy()
    ls.handshakes = u_hs
    m.cpu_factor /= np.maximum(1.0 - u_hs, LEAST_CPU_LEFT)
    m.pool_factor[e] *= np.where(target > 0, ls.open[e] / np.maximum(target, TINY), 1.0)
    storm = (u > 1.0) & (handshake > 0)  # queries alone saturating it are no herd
    for d in np.flatnonzero(storm & ~ls.storm):
        rate = float(np.bincount(dst, attempts, minlength=w.n)[d])
        sim.record(
            "connections",
            w.names[d],
            f"{rate:.0f} new connections/s from reconnecting clients; "
            "handshakes saturate the CPU and time out",
        )
    ls.storm = storm


def after_tick(sim: Simulator, m: Modifiers) -> None:
    """Carry the hold time and the concurrency to the next tick."""
    p, ls, w, st = sim.world.load, sim.load_state, sim.world, sim.state
    assert p is not None
    assert ls is not None
    total = sim.served.sum(0)
    if p.herd_edges.size:  # the CPU shown is the queries' and the handshakes' together
        left = np.maximum(1.0 - ls.handshakes, LEAST_CPU_LEFT)
        sim.cpu = np.minimum(sim.cpu * left + ls.handshakes, 1.0)
    if p.worker_idx.size:
        i = p.worker_idx
        share = sim.served[:, i] / np.maximum(total[i], TINY)
        waiting = (share * (sim.lat[:, i] - sim.own_lat[i])).sum(0)
        own = w.service_time[i] * m.svc_factor[i] * sim.throttle[i] + m.lat_add[i]
        hold = np.where(total[i] > TINY, own + np.maximum(waiting, 0.0), own)
        ls.hold[i] = SMOOTHING * ls.hold[i] + (1.0 - SMOOTHING) * hold
    if p.usl_idx.size:
        i = p.usl_idx
        reps = np.maximum(st.ready[i], 0.0)
        held = np.minimum(st.conn_demand[i], w.max_connections[i])
        ls.concurrency[i] = np.where(reps > 0, held / np.maximum(reps, TINY), 0.0)
        for j in i:
            if st.reset_since("kill-query", int(j), ls.since) or st.reset_since(
                "restart", int(j), ls.since
            ):
                ls.concurrency[j] = 0.0  # the queries in flight are gone
                st.syncq[j] = 0.0
    ls.since = sim.now + sim.dt
