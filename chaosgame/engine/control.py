"""Resource limits and control loops: memory and OOM kills, restarts, circuit breakers,
autoscalers (step 5 of the tick, after :mod:`chaosgame.engine.tick`'s passes)."""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.physics import TINY
from chaosgame.engine.probes import liveness_latency
from chaosgame.engine.state import Modifiers
from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

KILL_SHARE = 0.25
"""Share of a component's replicas that reach the memory limit in the same tick: replicas
started at different times leak from different baselines, so they die in waves."""
MAX_BACKOFF = 300.0
"""Longest crash-loop back-off before a killed replica starts again."""
CRASH_MEMORY = 600.0
"""Seconds without a crash after which the back-off resets."""


def take_down(
    sim: Simulator,
    i: int,
    count: int,
    reason: str,
    *,
    backoff: bool,
    delay: float | None = None,
    tag: str = "",
) -> None:
    """Remove ``count`` ready replicas of component ``i`` until they restart.

    ``delay`` overrides the restart time (a lost node's pods wait for their eviction), and
    ``tag`` marks the return so a mitigation can find it (``return:node``)."""
    st, w = sim.state, sim.world
    count = int(min(count, st.ready[i]))
    if count <= 0:
        return
    now = sim.now
    if backoff:
        if now - st.last_crash[i] > CRASH_MEMORY:
            st.crashes[i] = 0
        st.crashes[i] += 1
        st.last_crash[i] = now
        delay = min(w.restart_time[i] * 2 ** (st.crashes[i] - 1), MAX_BACKOFF)
    else:
        delay = w.restart_time[i] if delay is None else delay
    before = st.ready[i]
    st.ready[i] -= count
    st.restarts[i] += count
    st.mem[i] = (st.mem[i] * (before - count) + w.mem_base[i] * count) / max(before, 1.0)
    st.fds[i] = st.fds[i] * (before - count) / max(before, 1.0)
    st.schedule(now + delay, i, f"return:{tag}" if tag else "return", float(count))
    sim.record(reason, w.names[i], f"{count} of {int(before)} replicas {_verb(reason)}")


def _verb(reason: str) -> str:
    return {
        "oom": "OOMKilled (memory limit reached); back-off restarting",
        "liveness": "restarted after failing liveness probes",
        "restart": "restarted",
        "node": "lost with their node (NodeNotReady); waiting for eviction",
        "crash": "crashed (exit 1); back-off restarting",
    }.get(reason, reason)


def memory_and_kills(sim: Simulator, m: Modifiers, served: F64, dt: float) -> None:
    """Grow memory with leaks, and kill replicas that reach their limit."""
    st = sim.state
    per_replica = served / np.maximum(st.ready, 1e-12)
    st.mem = st.mem + m.leak * per_replica * dt
    over = np.flatnonzero((st.mem + m.mem_add >= st.mem_limit) & (st.ready > 0))
    for i in over:
        kill = max(1, math.ceil(st.ready[i] * KILL_SHARE))
        take_down(sim, int(i), kill, "oom", backoff=True)


def autoscale(sim: Simulator, dt: float) -> None:
    """Horizontal autoscalers: act after the stabilisation delay, never past min and max."""
    sc, st, w = sim.scenario, sim.state, sim.world
    now = sim.now
    for i in w.autoscaled:
        policy = sc.components[i].autoscaling
        assert policy is not None
        configured = policy.max if np.isnan(st.as_max[i]) else int(st.as_max[i])
        high = int(sim.overrides.get(("autoscaler-max", i), configured))
        metric = _metric(sim, i, st.as_metric.get(i, policy.metric))
        target = policy.target if np.isnan(st.as_target[i]) else float(st.as_target[i])
        want = ph.autoscale_desired(int(st.desired[i]), metric, target, policy.min, high)
        if want == int(st.desired[i]):
            st.scale_since[i] = np.nan
            continue
        if np.isnan(st.scale_since[i]):
            st.scale_since[i] = now
            continue
        if now - st.scale_since[i] + 1e-9 < policy.delay:
            continue
        st.scale_since[i] = np.nan
        set_replicas(sim, i, want, policy.startup, actor="autoscaler")


def _metric(sim: Simulator, i: int, name: str) -> float:
    st, w = sim.state, sim.world
    if name == "cpu":
        return float(sim.cpu[i])
    if name == "rps":
        return float(sim.offered[:, i].sum() / max(st.ready[i], 1e-12))
    if name == "latency":
        return float(sim.lat[:, i].mean())
    # queue_lag: the backlog of the queues this component consumes, in seconds
    sources = w.src[(w.dst == i) & w.is_async]
    if sources.size == 0:
        return 0.0
    lag = st.backlog[sources].sum() / max(sim.drain[sources].sum(), 1e-12)
    return float(lag)


def set_replicas(sim: Simulator, i: int, count: int, startup: float, actor: str) -> None:
    """Ask for ``count`` replicas: new ones serve after ``startup``; extra ones stop now."""
    st, w = sim.state, sim.world
    old = int(st.desired[i])
    st.desired[i] = float(count)
    if count > old:
        st.schedule(sim.now + startup, i, "return", float(count - old))
    elif count < old:
        st.ready[i] = min(st.ready[i], float(count))
    if count != old:
        kind = "autoscale" if actor == "autoscaler" else "scale"
        sim.record(kind, w.names[i], f"replicas {old} -> {count}", actor)


def start_replicas(sim: Simulator, i: int, amount: float, what: str) -> None:
    """Replicas due back start if they can: their image pulls and their cluster has room.

    Those that cannot stay Pending and try again next tick (an event says why, once)."""
    st, w = sim.state, sim.world
    room = max(st.desired[i] - st.ready[i], 0.0)
    amount = min(amount, room)
    if amount <= 0:
        return
    blocked = ""
    start = amount
    if sim.mods.start_blocked[i] > 0:
        blocked, start = "ErrImagePull: back-off pulling image", 0.0
    c = int(w.cluster[i])
    if start > 0 and c >= 0:
        per_node = w.cluster_cpu[c] / max(w.cluster_nodes[c], 1.0)
        free = st.nodes[c] * per_node - sim.mods.reserved[c]
        members = w.cluster == c
        free -= float((st.ready[members] * st.cpu_limit[members]).sum())
        fit = max(math.floor(free / st.cpu_limit[i] + 1e-9), 0)
        if fit < start:
            start = float(fit)
            blocked = "Pending: 0 nodes available, insufficient cpu"
    if start > 0 and c >= 0 and sim.limits is not None:
        start, why = sim.limits.admit(sim, i, c, start)
        blocked = why or blocked
    st.ready[i] += start
    if sim.limits is not None:
        sim.limits.note(sim.tick, i, amount - start, blocked)
    if amount - start > 0:
        st.schedule(sim.now + sim.dt, i, what, amount - start)
        if i not in st.pending_noted:
            st.pending_noted.add(i)
            sim.record("scheduling", w.names[i], f"{int(amount - start)} replicas {blocked}")
    else:
        st.pending_noted.discard(i)


def probes_and_crashes(sim: Simulator, m: Modifiers) -> None:
    """Liveness probes restart replicas slower than the probe's timeout; crashes restart too."""
    st, w = sim.state, sim.world
    probed = np.isfinite(st.liveness)
    if probed.any():
        slow = probed & (liveness_latency(sim, m) > st.liveness) & (st.ready > 0)
        st.probe_fail = np.where(slow, st.probe_fail + 1, 0.0)
        for i in np.flatnonzero(st.probe_fail >= w.liveness_threshold):
            kill = max(1, math.ceil(st.ready[i] * KILL_SHARE))
            take_down(sim, int(i), kill, "liveness", backoff=True)
            st.probe_fail[i] = 0.0
    for i in np.flatnonzero((m.crash > 0) & (st.ready > 0)):
        kill = max(1, math.ceil(st.ready[i] * m.crash[i] - 1e-9))
        take_down(sim, int(i), kill, "crash", backoff=True)


def lose_node(sim: Simulator, c: int, eviction: float) -> None:
    """A node of cluster ``c`` dies: its share of every member's replicas goes with it."""
    st, w = sim.state, sim.world
    if st.nodes[c] <= 1:
        return
    for i in np.flatnonzero(w.cluster == c):
        count = math.ceil(st.ready[i] / st.nodes[c] - 1e-9)
        take_down(sim, int(i), count, "node", backoff=False, delay=eviction, tag="node")
    st.nodes[c] -= 1


def reschedule_lost(sim: Simulator, c: int) -> int:
    """Drain: pods waiting on a dead node's eviction in cluster ``c`` restart now elsewhere."""
    st, w = sim.state, sim.world
    moved = 0
    timers = []
    for at, seq, what, i, amount in st.timers:
        if what == "return:node" and i >= 0 and w.cluster[i] == c:
            at = min(at, sim.now + w.restart_time[i])
            moved += int(amount)
        timers.append((at, seq, what, i, amount))
    heapq.heapify(timers)
    st.timers = timers
    return moved


def breakers(sim: Simulator, p_true: F64) -> None:
    """Circuit breakers trip on the failure rate they see, cool down, then try again."""
    w, st, now, dt = sim.world, sim.state, sim.now, sim.dt
    has = w.has_breaker
    if not has.any():
        return
    alpha = np.minimum(dt / w.breaker_window, 1.0)
    closed = has & (st.breaker == 0)
    st.breaker_ema = np.where(closed, st.breaker_ema + alpha * (p_true - st.breaker_ema), 0)
    trip = closed & (st.breaker_ema > w.breaker_threshold)
    half = has & (st.breaker == 2)
    fail_trial = half & (p_true > w.breaker_threshold)
    ok_trial = half & ~fail_trial
    reopen = trip | fail_trial
    st.breaker_until = np.where(reopen, now + w.breaker_cooldown, st.breaker_until)
    cooled = has & (st.breaker == 1) & (now >= st.breaker_until)
    new = st.breaker.copy()
    new[reopen] = 1
    new[ok_trial] = 0
    new[cooled] = 2
    for ei in np.flatnonzero(trip):
        d = w.deps[ei]
        sim.record("breaker", d.source, f"circuit breaker to {d.to} opened")
    for ei in np.flatnonzero(ok_trial):
        d = w.deps[ei]
        sim.record("breaker", d.source, f"circuit breaker to {d.to} closed")
    st.breaker = new


def resources(sim: Simulator, m: Modifiers, dt: float) -> None:
    """Resources and control loops after the tick's traffic: memory, caches, disks, descriptors,
    replication, connections, probes and autoscalers."""
    w, st = sim.world, sim.state
    total = sim.served.sum(0)
    memory_and_kills(sim, m, total, dt)
    # A cache refills only with the misses its backing store answered: in the refill law a
    # read fills a key when it misses one the cache could hold, and a miss fills it only
    # when its call (retries included) succeeds. Hits fill nothing.
    answered = np.ones(w.n)
    if sim._cache_edges.size:
        ce = sim._cache_edges
        rates = np.maximum(sim.edge_rate[:, ce], TINY)
        final = (sim.fin[:, ce] * rates).sum(0) / rates.sum(0)
        np.minimum.at(answered, w.src[ce], 1.0 - final)
    reads = total * dt * answered
    st.hit = np.where(w.is_cache, ph.cache_refill(st.hit, w.hit_target, reads, w.keyspace), 0)
    writes = total * w.write_fraction * m.write_factor
    grow = (writes * w.bytes_per_write / 1e9 + m.disk_add) * dt
    st.disk = np.where(np.isfinite(st.disk_gb), np.minimum(st.disk + grow, st.disk_gb), st.disk)
    st.fds = st.fds + m.fd_leak * total / np.maximum(st.ready, TINY) * dt
    rep = w.replica_of >= 0
    if rep.any():
        prim = w.replica_of[rep]
        ra, rb = st.region[rep], st.region[prim]
        cut = np.where((ra >= 0) & (rb >= 0), m.net_fail[np.maximum(ra, 0), np.maximum(rb, 0)], 0)
        apply = w.apply_rate[rep] * m.apply_factor[rep] * (1.0 - cut)
        # only the writes the primary acknowledged reach its log: a rejected write is not lost
        acked = (sim.served[:, prim] * (1.0 - sim.err[:, prim])).sum(0)
        shipped = acked * w.write_fraction[prim] * m.write_factor[prim]
        st.repl_backlog[rep] = np.maximum(st.repl_backlog[rep] + (shipped - apply) * dt, 0.0)
    # connections held open to each component: in-flight calls of its callers (Little)
    held = sim.edge_rate.sum(0) * st.call_time
    ceiling = np.where(st.pool > 0, st.pool * m.pool_factor * st.ready[w.src], np.inf)
    held = np.minimum(held, ceiling)
    st.conn_demand = np.bincount(w.dst, held, minlength=w.n).astype(np.float64)
    probes_and_crashes(sim, m)
    autoscale(sim, dt)
