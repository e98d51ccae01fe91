"""Mutable simulation state and the per-tick modifiers that faults and mitigations write."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from chaosgame.engine.world import F64, World


@dataclass
class Modifiers:
    """Multipliers and additions applied to the base parameters for one tick.

    Faults and mitigations never touch the tick loop; they write here (see ``faults.py``).
    Reset to neutral at the start of every tick.
    """

    svc_factor: F64
    cap_factor: F64
    cpu_factor: F64
    lat_add: F64
    leak: F64
    shed: F64
    write_factor: F64
    apply_factor: F64
    err: F64  # (K, N) share of requests a component fails by itself
    wrong: F64  # (K, N) share of answers that are wrong (correctness SLI)
    lost: F64  # (K, N) share of writes lost (durability SLI)
    rate_factor: F64  # per journey
    edge_fail: F64  # per edge: extra per-attempt failure (packet loss, partition)
    edge_lat: F64  # per edge: extra latency
    edge_retries: F64  # per edge: retry count in force

    @classmethod
    def neutral(cls, w: World) -> Modifiers:
        n, k, e = w.n, w.k, w.e
        return cls(
            svc_factor=np.ones(n),
            cap_factor=np.ones(n),
            cpu_factor=np.ones(n),
            lat_add=np.zeros(n),
            leak=np.zeros(n),
            shed=np.zeros(n),
            write_factor=np.ones(n),
            apply_factor=np.ones(n),
            err=np.zeros((k, n)),
            wrong=np.zeros((k, n)),
            lost=np.zeros((k, n)),
            rate_factor=np.ones(len(w.journeys)),
            edge_fail=np.zeros(e),
            edge_lat=np.zeros(e),
            edge_retries=w.retries.copy(),
        )

    def add_err(self, i: int, share: float, kmask: F64) -> None:
        """Fail ``share`` of the requests of component ``i`` for the classes in ``kmask``."""
        self.err[:, i] = 1.0 - (1.0 - self.err[:, i]) * (1.0 - share * kmask)


@dataclass
class Rollout:
    """A deploy in progress on one component."""

    to: str
    start: float
    duration: float
    strategy: str
    weight: float
    paused: bool = False


@dataclass
class Versions:
    """What a component runs: a stable version and maybe a rollout towards another."""

    stable: str
    history: list[str]
    rollout: Rollout | None = None

    def share(self, version: str, now: float) -> float:
        """Share of traffic served by ``version`` at time ``now``."""
        r = self.rollout
        if r is None:
            return 1.0 if version == self.stable else 0.0
        w = self.weight(now)
        if version == r.to:
            return w
        if version == self.stable:
            return 1.0 - w
        return 0.0

    def weight(self, now: float) -> float:
        """Share of traffic on the rollout's new version."""
        r = self.rollout
        if r is None:
            return 0.0
        if r.strategy == "canary":
            return r.weight
        if r.strategy == "rolling":
            return min(1.0, max(0.0, (now - r.start) / max(r.duration, 1.0)))
        return 1.0

    def settle(self, now: float) -> bool:
        """Finish a rolling or instant rollout that has reached every pod."""
        r = self.rollout
        if r is None or r.paused or r.strategy == "canary":
            return False
        if self.weight(now) >= 1.0:
            self.history.append(self.stable)
            self.stable = r.to
            self.rollout = None
            return True
        return False


@dataclass
class State:
    """Everything that changes while the simulation runs."""

    ready: F64
    desired: F64
    mem: F64
    hit: F64
    backlog: F64  # queues: messages waiting
    syncq: F64  # synchronous components: requests waiting for a worker
    repl_backlog: F64
    disk: F64
    restarts: F64
    crashes: F64
    last_crash: F64
    prev_p: F64  # (K, E) per-attempt failure seen last tick (drives retries)
    call_time: F64  # (E,) expected time a call took last tick (drives pools)
    conn_demand: F64  # (N,) connections callers wanted last tick
    breaker: F64  # (E,) 0 closed, 1 open, 2 half-open
    breaker_ema: F64
    breaker_until: F64
    scale_since: F64  # autoscaler: since when desired differs (nan: it does not)
    versions: dict[int, Versions]
    flags: dict[str, tuple[bool, float]]
    config: dict[tuple[int, str], str]
    timers: list[tuple[float, int, str, int, float]] = field(default_factory=list)
    seq: int = 0

    @classmethod
    def initial(cls, w: World) -> State:
        n, k, e = w.n, w.k, w.e
        sc = w.scenario
        deploys = sorted(sc.deploys, key=lambda d: d.at)
        versions: dict[int, Versions] = {}
        for i, c in enumerate(sc.components):
            past = [d.version for d in deploys if d.component == c.name and d.at <= 0]
            versions[i] = Versions(stable=c.version, history=[v for v in past if v != c.version])
        config: dict[tuple[int, str], str] = {}
        for cfg in sorted(sc.configs, key=lambda x: x.at):
            if cfg.at <= 0:
                config[(w.index[cfg.component], cfg.key)] = cfg.value
            elif cfg.previous is not None:
                config.setdefault((w.index[cfg.component], cfg.key), cfg.previous)
        return cls(
            ready=w.replicas.copy(),
            desired=w.replicas.copy(),
            mem=w.mem_base.copy(),
            hit=w.hit_target.copy(),
            backlog=np.zeros(n),
            syncq=np.zeros(n),
            repl_backlog=np.zeros(n),
            disk=np.array([c.disk_used_gb for c in sc.components], dtype=np.float64),
            restarts=np.zeros(n),
            crashes=np.zeros(n),
            last_crash=np.full(n, -np.inf),
            prev_p=np.zeros((k, e)),
            call_time=np.full(e, 0.01),
            conn_demand=np.zeros(n),
            breaker=np.zeros(e),
            breaker_ema=np.zeros(e),
            breaker_until=np.zeros(e),
            scale_since=np.full(n, np.nan),
            versions=versions,
            flags={f.name: (f.on, f.percentage) for f in sc.flags},
            config=config,
        )

    def schedule(self, at: float, index: int, what: str, amount: float = 0.0) -> None:
        """Queue a timed change (``what``) for component ``index`` at simulated time ``at``."""
        self.seq += 1
        heapq.heappush(self.timers, (at, self.seq, what, index, amount))

    def due(self, now: float) -> list[tuple[str, int, float]]:
        """Pop the timed changes whose time has come, in order."""
        out = []
        while self.timers and self.timers[0][0] <= now + 1e-9:
            _, _, what, index, amount = heapq.heappop(self.timers)
            out.append((what, index, amount))
        return out
