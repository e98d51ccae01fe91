"""The users' clients at a journey's front door: retries, pent-up demand, stale caches.

A journey's ``clients:`` block (``chaosgame.scenario.clients``) turns its users' demand into
the attempts that reach the front door. Per traffic class, at the start of every tick (in
:func:`arrivals`, called by the load pass), from what the clients saw last tick (the failure
share ``p`` of the journey's front, the share ``q`` of it answered "come back later"):

* **retries with backoff and jitter**: of the attempts at stage ``a`` (first attempts are
  stage 0), ``A_a (1 - q) p'`` fail for another reason (``1 - p = (1 - q)(1 - p')``); while
  ``a`` is below the retry count they are retried after the ``a + 1``-th backoff
  ``min(max_backoff, backoff x 2^a)``, spread over the coming ticks by :func:`arrival_shares`
  (failures uniform over their tick, the wait fixed or uniform by the jitter). The retries that
  fall due this tick are stage ``a + 1``'s attempts. In steady state the front sees
  ``1 + p + ... + p^r`` attempts per request, as with the retries of a call;
* **pent-up demand**: the users whose last attempt failed, and those told to come back later
  (shed or rate-limited at the front, or refused by a removed API), join a reservoir with
  probability ``share``; it drains ``1 - exp(-dt / after)`` of itself every tick back into the
  demand. During an outage returning users fail again and the reservoir fills; when service
  returns it empties on top of normal traffic: the thundering herd;
* **stale address**: until the address moves every request goes to the ``old`` component; after
  it moves, the share of clients whose cache still holds the old address is
  ``sticky + (1 - sticky) max(0, 1 - (t - at) / ttl)`` (caches filled at uniformly spread
  times, each holding the address for the TTL, expire linearly; sticky clients never refresh).
  Their attempts go to the old component and take its outcome;
* **stale version**: a share of the users' requests fail at the journey's entry on the pods that
  run a version whose API their app still calls was removed (a fast refusal, not retried at
  once).

A scenario without a ``clients:`` block never reaches this module (``World.clients`` is None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.physics import TINY
from chaosgame.engine.world import F64, I64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers
    from chaosgame.engine.world import World
    from chaosgame.scenario.clients import Clients

JOURNEY_MIX = ("errors", "latency", "floor", "wrong", "lost")
"""The journey series a stale address splits between the front and the old component."""


def backoff_waits(c: Clients) -> list[tuple[float, float]]:
    """The wait before each retry, as ``(shortest, longest)`` seconds (equal: no jitter)."""
    out = []
    for a in range(c.retries):
        d = min(c.max_backoff, c.backoff * 2.0**a)
        if c.jitter == "none":
            out.append((d, d))
        elif c.jitter == "full":
            out.append((0.0, d))
        else:
            out.append((d / 2.0, d))
    return out


def _ramp(z: F64) -> F64:
    """``H(z)``: the integral of ``clip(z, 0, 1)`` from minus infinity."""
    out: F64 = np.where(z <= 0.0, 0.0, np.where(z < 1.0, 0.5 * z * z, z - 0.5))
    return out


def arrival_shares(low: float, high: float, dt: float) -> F64:
    """Share of the retries of one tick's failures that arrive ``j`` ticks later, ``j = 0..``.

    A failure happens at a uniform moment of its tick (``u`` in tick units) and waits a delay
    uniform between ``low`` and ``high`` seconds (``a``, ``b`` in ticks; fixed when they are
    equal), so it arrives at ``x = u + v``. ``P(x <= y) = (H(y - a) - H(y - b)) / (b - a)``
    with ``H`` the integral of ``clip(z, 0, 1)`` (``clip(y - a, 0, 1)`` for a fixed delay);
    tick ``j`` takes ``P(x <= j + 1) - P(x <= j)``.
    """
    a, b = low / dt, high / dt
    edges = np.arange(math.ceil(b) + 2, dtype=np.float64)
    if b - a < 1e-12:
        cdf = np.clip(edges - a, 0.0, 1.0)
    else:
        cdf = (_ramp(edges - a) - _ramp(edges - b)) / (b - a)
    shares: F64 = np.diff(cdf)
    return shares


def stale_share(t: float, at: float, ttl: float, sticky: float) -> float:
    """Share of clients still using the old address at time ``t`` (1 before the move)."""
    if t < at:
        return 1.0
    return sticky + (1.0 - sticky) * max(0.0, 1.0 - (t - at) / ttl)


@dataclass(frozen=True)
class ClientPlan:
    """What the world's journeys' clients do, per traffic class (compiled once)."""

    retries: I64  # (K,) retries of each class's clients
    kernel: F64  # (R, K, L) share of stage-a failures arriving j ticks later
    share: F64  # (K,) pent-up: share of failed users who come back
    leave: F64  # (K,) pent-up: share of the reservoir coming back each tick
    old: I64  # (K,) where stale-address traffic goes (the front where none)
    moves: tuple[tuple[int, float, float, float], ...]  # (journey, at, ttl, sticky)
    versions: tuple[
        tuple[int, int, float, tuple[str, ...]], ...
    ]  # (journey, entry, share, removed)

    @property
    def stages(self) -> int:
        """The most retries any class makes."""
        return int(self.kernel.shape[0])


def plan_clients(w: World) -> ClientPlan | None:
    """Compile the journeys' ``clients:`` blocks, or None when no journey has one."""
    sc = w.scenario
    if all(j.clients is None for j in sc.journeys):
        return None
    k, dt = w.k, sc.tick
    waits: list[list[tuple[float, float]]] = []
    retries = np.zeros(k, dtype=np.int64)
    share, leave = np.zeros(k), np.zeros(k)
    old = w.class_front.copy()
    moves, versions = [], []
    for ji, j in enumerate(sc.journeys):
        c = j.clients
        rows = w.class_journey == ji
        waits.append(backoff_waits(c) if c is not None else [])
        if c is None:
            continue
        retries[rows] = c.retries
        if c.pent_up is not None:
            share[rows] = c.pent_up.share
            leave[rows] = -math.expm1(-dt / c.pent_up.after)
        if c.stale_address is not None:
            s = c.stale_address
            old[rows] = w.index[s.old]
            moves.append((ji, s.at, s.ttl, s.sticky))
        if c.stale_version is not None:
            v = c.stale_version
            versions.append((ji, w.index[j.entry], v.share, tuple(v.removed_in)))
    stages = int(retries.max())
    shares = [[arrival_shares(lo, hi, dt) for lo, hi in ws] for ws in waits]
    length = max([1, *(len(s) for ws in shares for s in ws)])
    kernel = np.zeros((stages, k, length))
    for ki, ji in enumerate(w.class_journey):
        for a, s in enumerate(shares[ji]):
            kernel[a, ki, : len(s)] = s
    return ClientPlan(retries, kernel, share, leave, old, tuple(moves), tuple(versions))


@dataclass
class ClientState:
    """The clients' memory between ticks."""

    pending: F64  # (R, K, L) retries (per second) due in the coming ticks, a ring from ``head``
    reservoir: F64  # (K,) users waiting to come back (requests, not a rate)
    head: int = 0
    stale: F64 = field(default_factory=lambda: np.zeros(0))  # (K,) share at the old address
    deferred: F64 = field(default_factory=lambda: np.zeros(0))  # (K,) told to come back later
    attempts: F64 = field(default_factory=lambda: np.zeros(0))  # (K,) per second, this tick
    noted: set[int] = field(default_factory=set)  # address moves already in the timeline

    @classmethod
    def start(cls, sim: Simulator) -> ClientState:
        """Empty memories; address moves before the window go in the timeline's past."""
        w = sim.world
        plan = w.clients
        assert plan is not None
        k = w.k
        st = cls(
            pending=np.zeros(plan.kernel.shape),
            reservoir=np.zeros(k),
            stale=np.zeros(k),
            deferred=np.zeros(k),
            attempts=np.zeros(k),
        )
        for n, (ji, at, _ttl, _sticky) in enumerate(plan.moves):
            if at <= 0:
                st.note_move(sim, n, ji, at)
        sim.events.sort(key=lambda e: e.time)
        return st

    def note_move(self, sim: Simulator, n: int, ji: int, at: float) -> None:
        """Put an address move in the timeline (once)."""
        from chaosgame.engine.sim import Event

        self.noted.add(n)
        j = sim.scenario.journeys[ji]
        assert j.clients is not None
        assert j.clients.stale_address is not None
        s = j.clients.stale_address
        front = j.via or j.entry
        sim.events.append(
            Event(
                at,
                "config",
                front,
                f"{j.name} address moved from {s.old} to {front} (DNS TTL {s.ttl:g}s)",
                "dns",
            )
        )


def arrivals(sim: Simulator, m: Modifiers, rates: F64) -> tuple[F64, F64]:
    """This tick's attempts per class: at the journey's front, and at its old address."""
    w, cs, dt, now = sim.world, sim.clients, sim.dt, sim.now
    plan = w.clients
    assert plan is not None
    assert cs is not None
    ks, front = w.class_rows, w.class_front
    demand = rates[w.class_journey] * w.class_share
    # what the clients saw last tick
    err = sim.err
    p = np.clip((1.0 - cs.stale) * err[ks, front] + cs.stale * err[ks, plan.old], 0.0, 1.0)
    q = np.minimum(cs.deferred, p)
    other = np.where(q < 1.0, np.maximum(1.0 - (1.0 - p) / np.maximum(1.0 - q, TINY), 0.0), 0.0)
    back = cs.reservoir * plan.leave
    cs.reservoir = cs.reservoir - back
    attempts = demand + back / dt
    total = attempts.copy()
    later = attempts * q
    gave_up = np.zeros(w.k)
    length = plan.kernel.shape[2]
    ring = (cs.head + np.arange(length)) % length
    for a in range(plan.stages):
        failed = attempts * (1.0 - q) * other
        retried = a < plan.retries
        gave_up += np.where(retried, 0.0, failed)
        pend = cs.pending[a]
        pend[:, ring] += np.where(retried, failed, 0.0)[:, None] * plan.kernel[a]
        attempts = pend[:, cs.head].copy()
        pend[:, cs.head] = 0.0
        total += attempts
        later += attempts * q
    gave_up += attempts * (1.0 - q) * other
    cs.head = (cs.head + 1) % length
    cs.reservoir = cs.reservoir + plan.share * (gave_up + later) * dt
    refused = _stale_versions(sim, m, now)
    rejected = ph.combine(m.shed[front], m.block[ks, front])
    cs.deferred = ph.combine(rejected, refused)
    stale = np.zeros(w.k)
    for n, (ji, at, ttl, sticky) in enumerate(plan.moves):
        if n not in cs.noted and now >= at:
            cs.note_move(sim, n, ji, at)
        stale[w.class_journey == ji] = stale_share(now, at, ttl, sticky)
    cs.stale = stale
    cs.attempts = total
    return total * (1.0 - stale), total * stale


def _stale_versions(sim: Simulator, m: Modifiers, now: float) -> F64:
    """Fail the old app's requests on the entry's pods that removed its API; the share."""
    w = sim.world
    plan = w.clients
    assert plan is not None
    refused = np.zeros(w.k)
    for ji, entry, share, removed in plan.versions:
        v = sim.state.versions[entry]
        on = min(sum(v.share(name, now) for name in removed), 1.0)
        if on <= 0.0:
            continue
        rows = w.class_journey == ji
        refused[rows] = share * on
        m.err[rows, entry] = 1.0 - (1.0 - m.err[rows, entry]) * (1.0 - share * on)
    return refused


def journey_rows(sim: Simulator, row: int) -> None:
    """The journey series of a tick: the attempts the front door saw, and with a stale address
    the outcome of the old component for the share of requests that went there."""
    w, cs, j = sim.world, sim.clients, sim.history.journey
    plan = w.clients
    assert plan is not None
    assert cs is not None
    j["rate"][row] = cs.attempts
    if not plan.moves:
        return
    ks, s = w.class_rows, cs.stale
    for name, arr in zip(
        JOURNEY_MIX, (sim.err, sim.lat, sim.floor, sim.wrong, sim.lost), strict=True
    ):
        j[name][row] = (1.0 - s) * arr[ks, w.class_front] + s * arr[ks, plan.old]
