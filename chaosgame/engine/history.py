"""Compact history: one float32 per series per component (or class, or edge) per tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine.physics import TINY

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers

F32 = NDArray[np.float32]

COMPONENT_SERIES = (
    "offered",  # requests/s arriving, retries included
    "served",  # requests/s completed
    "errors",  # share of requests that failed (traffic-weighted over classes)
    "latency",  # mean seconds
    "floor",  # fastest seconds (idle path)
    "utilisation",  # busy share of capacity
    "cpu",  # cores used per replica / limit
    "throttle",  # CPU throttling factor (1 = none)
    "memory",  # MB resident per replica
    "replicas",  # ready replicas
    "desired",  # replicas asked for
    "connections",  # connections held open to this component
    "backlog",  # queues: messages waiting; others: requests queued for a worker
    "consumer_lag",  # queues: seconds of backlog at the drain rate
    "replication_lag",  # replicas: seconds behind the primary
    "disk",  # GB used
    "cache_hit",  # caches: hit ratio
    "restarts",  # cumulative restarts
    "scraped",  # 1 when the metrics pipeline scraped the component this tick, 0 in a gap
)
CLASS_SERIES = ("errors", "latency", "floor", "offered")
EDGE_SERIES = ("rate", "fail", "final_fail", "call_time", "breaker", "pool_wait")
JOURNEY_SERIES = ("rate", "errors", "latency", "floor", "wrong", "lost")


class History:
    """Arrays ``[tick, ...]`` that grow in chunks as the simulation runs."""

    def __init__(self, n: int, k: int, e: int, capacity: int) -> None:
        self.n, self.k, self.e = n, k, e
        self.ticks = 0
        self.capacity = max(capacity, 1)
        self.comp = {name: np.zeros((self.capacity, n), np.float32) for name in COMPONENT_SERIES}
        self.cls = {name: np.zeros((self.capacity, k, n), np.float32) for name in CLASS_SERIES}
        self.edge = {name: np.zeros((self.capacity, e), np.float32) for name in EDGE_SERIES}
        self.journey = {name: np.zeros((self.capacity, k), np.float32) for name in JOURNEY_SERIES}

    def _grow(self) -> None:
        self.capacity *= 2
        for table in (self.comp, self.cls, self.edge, self.journey):
            for name, arr in table.items():
                bigger = np.zeros((self.capacity, *arr.shape[1:]), np.float32)
                bigger[: self.ticks] = arr[: self.ticks]
                table[name] = bigger

    def next_row(self) -> int:
        """Reserve the row for a new tick and return its index."""
        if self.ticks >= self.capacity:
            self._grow()
        row = self.ticks
        self.ticks += 1
        return row

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(
            arr.nbytes for t in (self.comp, self.cls, self.edge, self.journey) for arr in t.values()
        )

    def digest(self) -> str:
        """A hash of every recorded number (determinism checks compare these)."""
        import hashlib

        h = hashlib.sha256()
        for table in (self.comp, self.cls, self.edge, self.journey):
            for name in sorted(table):
                h.update(name.encode())
                h.update(np.ascontiguousarray(table[name][: self.ticks]).tobytes())
        return h.hexdigest()


def write_history(sim: Simulator, m: Modifiers) -> None:
    """Record the tick in the history: one float32 per series (see ``history.py``)."""
    w, st, h = sim.world, sim.state, sim.history
    row = h.next_row()
    c = h.comp
    served = sim.served
    total = served.sum(0)
    # a component that served nothing this tick weighs its classes as the journeys do
    # (each journey's classes share one): its error share stays a share
    idle = w.class_share / max(len(w.journeys), 1)
    weight = np.where(total[None, :] > TINY, served / np.maximum(total, TINY), idle[:, None])
    c["offered"][row] = sim.offered.sum(0)
    c["served"][row] = total
    c["errors"][row] = (sim.err * weight).sum(0)
    c["latency"][row] = (sim.lat * weight).sum(0)
    c["floor"][row] = (sim.floor * weight).sum(0)
    c["utilisation"][row] = np.minimum(sim.rho, 1.0)
    c["cpu"][row] = sim.cpu
    c["throttle"][row] = sim.throttle
    c["memory"][row] = st.mem + m.mem_add
    c["replicas"][row] = st.ready * (1.0 - m.unready)
    c["desired"][row] = st.desired
    c["connections"][row] = st.conn_demand
    c["backlog"][row] = np.where(w.is_queue, st.backlog, st.syncq)
    c["consumer_lag"][row] = np.where(
        w.is_queue, st.backlog / np.maximum(sim.drain, TINY) * (st.backlog > 0), 0.0
    )
    safe_apply = np.where(np.isfinite(w.apply_rate), w.apply_rate * m.apply_factor, np.inf)
    # a replica whose replay has stopped is behind by the time since the last write it applied
    previous = c["replication_lag"][row - 1] if row else np.zeros(w.n, np.float32)
    c["replication_lag"][row] = np.where(
        st.repl_backlog > 0,
        np.where(safe_apply > 0, st.repl_backlog / np.maximum(safe_apply, TINY), previous + sim.dt),
        0.0,
    )
    c["disk"][row] = st.disk
    c["cache_hit"][row] = st.hit
    c["restarts"][row] = st.restarts
    c["scraped"][row] = m.scraped
    h.cls["errors"][row] = sim.err
    h.cls["latency"][row] = sim.lat
    h.cls["floor"][row] = sim.floor
    h.cls["offered"][row] = sim.offered
    e = h.edge
    e["rate"][row] = sim.edge_rate.sum(0)
    e["fail"][row] = sim.p_true
    rates = np.maximum(sim.edge_rate, TINY)
    e["final_fail"][row] = (sim.fin * rates).sum(0) / rates.sum(0)
    e["call_time"][row] = st.call_time
    e["breaker"][row] = st.breaker
    e["pool_wait"][row] = sim.pool_fail
    ks, front = w.class_rows, w.class_front
    j = h.journey
    j["rate"][row] = sim.rates[w.class_journey] * w.class_share
    j["errors"][row] = sim.err[ks, front]
    j["latency"][row] = sim.lat[ks, front]
    j["floor"][row] = sim.floor[ks, front]
    j["wrong"][row] = sim.wrong[ks, front]
    j["lost"][row] = sim.lost[ks, front]
    if w.clients is not None:
        from chaosgame.engine.clients import journey_rows

        journey_rows(sim, row)
