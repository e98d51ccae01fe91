"""Resource limits and control loops: memory and OOM kills, restarts, autoscalers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
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


def take_down(sim: Simulator, i: int, count: int, reason: str, *, backoff: bool) -> None:
    """Remove ``count`` ready replicas of component ``i`` until they restart."""
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
        delay = w.restart_time[i]
    before = st.ready[i]
    st.ready[i] -= count
    st.restarts[i] += count
    st.mem[i] = (st.mem[i] * (before - count) + w.mem_base[i] * count) / max(before, 1.0)
    st.schedule(now + delay, i, "return", float(count))
    sim.record(reason, w.names[i], f"{count} of {int(before)} replicas {_verb(reason)}")


def _verb(reason: str) -> str:
    return {
        "oom": "OOMKilled (memory limit reached); back-off restarting",
        "liveness": "restarted after failing liveness probes",
        "restart": "restarted",
        "node": "lost with their node",
    }.get(reason, reason)


def memory_and_kills(sim: Simulator, m: Modifiers, served: F64, dt: float) -> None:
    """Grow memory with leaks, and kill replicas that reach their limit."""
    st, w = sim.state, sim.world
    per_replica = served / np.maximum(st.ready, 1e-12)
    st.mem = st.mem + m.leak * per_replica * dt
    over = np.flatnonzero((st.mem >= w.mem_limit) & (st.ready > 0))
    for i in over:
        kill = max(1, math.ceil(st.ready[i] * KILL_SHARE))
        take_down(sim, int(i), kill, "oom", backoff=True)


def autoscale(sim: Simulator, dt: float) -> None:
    """Horizontal autoscalers: act after the stabilisation delay, never past min and max."""
    sc, st, _w = sim.scenario, sim.state, sim.world
    now = sim.now
    for i, comp in enumerate(sc.components):
        policy = comp.autoscaling
        if policy is None:
            continue
        high = int(sim.overrides.get(("autoscaler-max", i), policy.max))
        metric = _metric(sim, i, policy.metric)
        want = ph.autoscale_desired(int(st.desired[i]), metric, policy.target, policy.min, high)
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
