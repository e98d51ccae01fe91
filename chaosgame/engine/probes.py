"""Health checks: readiness probes that take replicas out of the load balancer, and probes
that call dependencies (deep health checks).

A probe runs once a tick on every replica (Kubernetes' default period is 10 s, the default
tick). Its latency follows the engine's shifted exponential: the replica's own time in system
(queueing included) plus, for a deep check, each checked dependency's mean latency and the
network to it; its floor is the idle path. A probe fails when it is slower than its timeout,
``P = exp(-(T - floor) / (mean - floor))`` (:func:`chaosgame.engine.physics.timeout_probability`),
or when a checked dependency fails the call.

**Readiness.** A replica leaves the load balancer after ``failure_threshold`` failed probes in
a row and returns after one success; it is not restarted, and its load moves to the others.
Each component keeps the distribution of its replicas over the length of their current run of
failures (``0 .. f``, ``f`` meaning out of rotation), stepped once a tick: starting all in
rotation with the same failure probability ``p`` every tick, the share out of rotation is
``0`` for the first ``f - 1`` ticks and ``p^f`` at the ``f``-th. A replica in rotation is
probed behind its traffic (its own time in system); one out of rotation is idle (its own
part is its floor), so it fails with its own ``p_out`` and comes back when that passes. When
every replica's check calls the same slow database, both are near one and the whole service
leaves the load balancer.

**Liveness** keeps its law (``engine.control.probes_and_crashes``: the mean probe latency over
the timeout, ``failure_threshold`` ticks in a row, restarts a quarter of the replicas with
back-off); a deep liveness check adds the checked dependencies' latency to it, so a slow
database restarts healthy replicas, which does not help.

Only scenarios with a readiness probe or a probe with ``checks`` carry a :class:`Probes`
(``Simulator.probes``); the others run exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.physics import TINY
from chaosgame.engine.world import F64, I64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers


@dataclass
class Probes:
    """Probe settings, each readiness-probed replica set's run of failures, and history."""

    ready: I64  # (P,) components with a readiness probe
    ready_timeout: F64  # (P,)
    threshold: I64  # (P,) failures in a row before a replica leaves the load balancer
    ready_checks: F64  # (P, E) 1 where the readiness probe calls the edge
    live_checks: F64 | None  # (N, E) the same for liveness probes; None where none calls
    runs: F64  # (P, F + 2) share of replicas by the length of their run of failures
    unready: list[F64] = field(default_factory=list)
    """Per tick: running pods of each probed component out of the load balancer."""
    failing: F64 = field(default_factory=lambda: np.zeros(0))
    """This tick's probe failure probability, per readiness-probed component."""

    @property
    def share(self) -> F64:
        """Share of each probed component's replicas out of rotation now."""
        rows = np.arange(len(self.ready))
        out: F64 = self.runs[rows, self.threshold]
        return out


def probes_of(sim: Simulator) -> Probes | None:
    """The scenario's readiness probes and deep checks, or None when it has neither."""
    w = sim.world
    comps = sim.scenario.components
    ready = [i for i, c in enumerate(comps) if c.readiness is not None]
    deep_live = any(c.liveness is not None and c.liveness.checks for c in comps)
    if not ready and not deep_live:
        return None

    def matrix(rows: list[int], probe: str) -> F64:
        out = np.zeros((len(rows), w.e))
        for r, i in enumerate(rows):
            p = getattr(comps[i], probe)
            for to in p.checks if p is not None else []:
                out[r, w.edge_index[(w.names[i], to)]] = 1.0
        return out

    threshold = np.array(
        [comps[i].readiness.failure_threshold for i in ready],  # type: ignore[union-attr]
        dtype=np.int64,
    )
    runs = np.zeros((len(ready), int(threshold.max(initial=1)) + 2))
    runs[:, 0] = 1.0
    return Probes(
        ready=np.array(ready, dtype=np.int64),
        ready_timeout=np.array(
            [comps[i].readiness.timeout for i in ready],  # type: ignore[union-attr]
            dtype=np.float64,
        ),
        threshold=threshold,
        ready_checks=matrix(ready, "readiness"),
        live_checks=matrix(list(range(w.n)), "liveness") if deep_live else None,
        runs=runs,
    )


def before_flow(sim: Simulator, m: Modifiers) -> None:
    """Replicas out of rotation leave the load balancer for this tick's traffic."""
    probes = sim.probes
    if probes is None or not len(probes.ready):
        return
    idx = probes.ready
    m.unready[idx] = ph.combine(m.unready[idx], probes.share)


def after_tick(sim: Simulator, m: Modifiers) -> None:
    """Every readiness probe runs once on this tick's latencies; record who was out."""
    probes = sim.probes
    if probes is None or not len(probes.ready):
        return
    probes.unready.append(sim.state.ready[probes.ready] * m.unready[probes.ready])
    mean, floor, idle, dep_fail = probe_latency(sim, m, probes.ready, probes.ready_checks)
    timeout = probes.ready_timeout
    p_in = ph.combine(ph.timeout_probability(timeout, mean, floor), dep_fail)
    p_out = ph.combine(ph.timeout_probability(timeout, idle, floor), dep_fail)
    probes.failing = p_in
    probes.runs = step_runs(probes.runs, p_in, p_out, probes.threshold)


def step_runs(runs: F64, p_in: F64, p_out: F64, threshold: I64) -> F64:
    """One probe on every replica: a failure lengthens a replica's run of failures (up to the
    threshold, where it stays out of rotation), a success ends it.

    Replicas in rotation fail with ``p_in`` (their probes wait behind their traffic), those
    out of it with ``p_out`` (idle, they answer at once but for the dependencies checked)."""
    rows = np.arange(len(threshold))
    out = runs[rows, threshold]
    new = np.zeros_like(runs)
    new[:, 1:] = p_in[:, None] * runs[:, :-1]
    new[rows, threshold] = new[rows, threshold] + p_out * out
    new[rows, threshold + 1] = 0.0
    new[:, 0] = (1.0 - p_in) * (1.0 - out) + (1.0 - p_out) * out
    return new


def probe_latency(
    sim: Simulator, m: Modifiers, comps: I64, checks: F64
) -> tuple[F64, F64, F64, F64]:
    """A probe's latency on components ``comps``: its mean on a replica in rotation (its own
    time in system, queueing included), its floor, its mean on an idle replica (the floor
    of its own part), each plus the dependencies ``checks`` marks; and the share of probes a
    checked dependency fails."""
    w = sim.world
    own_floor = w.service_time * m.svc_factor * sim.throttle + m.lat_add
    mean, floor = sim.own_lat[comps], own_floor[comps]
    if not checks.any():
        return mean, floor, floor, np.zeros(len(comps))
    served = sim.served
    total = served.sum(0)
    weight = np.where(
        total[None, :] > TINY, served / np.maximum(total, TINY), w.class_share[:, None]
    )
    net = w.net_latency + m.edge_lat
    callee_lat = (sim.lat * weight).sum(0)[w.dst] + net
    callee_floor = (sim.floor * weight).sum(0)[w.dst] + net
    callee_err = np.minimum((sim.err * weight).sum(0)[w.dst], 1.0)
    ok = np.exp(checks @ np.log(np.maximum(1.0 - callee_err, TINY)))
    dep_mean, dep_floor = checks @ callee_lat, checks @ callee_floor
    return mean + dep_mean, floor + dep_floor, floor + dep_mean, 1.0 - ok


def liveness_latency(sim: Simulator, m: Modifiers) -> F64:
    """The mean latency each component's liveness probe sees: its own time in system, plus
    the dependencies a deep liveness check calls."""
    probes = sim.probes
    if probes is None or probes.live_checks is None:
        return sim.own_lat
    every = np.arange(sim.world.n)
    mean, _, _, _ = probe_latency(sim, m, every, probes.live_checks)
    return mean


def held_out(sim: Simulator, tick: int, i: int) -> int:
    """Running pods of component ``i`` out of the load balancer at ``tick`` (readiness)."""
    probes = sim.probes
    if probes is None or tick < 0 or tick >= len(probes.unready):
        return 0
    hit = np.flatnonzero(probes.ready == i)
    return int(round(float(probes.unready[tick][hit[0]]))) if hit.size else 0
