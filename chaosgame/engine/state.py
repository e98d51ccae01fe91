"""Mutable simulation state and the per-tick modifiers that faults and mitigations write."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine.world import F64, I64, World


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
    block: F64  # (K, N) share of a class's requests a component rejects on arrival (rules, limits)
    unready: F64  # share of running replicas out of the load balancer (readiness)
    crash: F64  # share of ready replicas that crash this tick (restart with back-off)
    start_blocked: F64  # 1 where new replicas cannot start (image pull)
    mem_add: F64  # MB of working set per replica added
    disk_add: F64  # GB per second written besides requests
    fd_leak: F64  # descriptors leaked per request
    quota: F64  # requests/s a component accepts before refusing (inf: no quota)
    skew: F64  # seconds a component's clock is off
    skew_share: F64  # share of its replicas with that clock
    scraped: F64  # 0 where metrics are not scraped this tick (a dashboard gap)
    edge_off: F64  # per edge: 1 where the caller no longer calls (a fallback answers)
    edge_open: F64  # per edge: 1 where the breaker is held open
    net_fail: F64  # (R, R) share of packets lost between regions
    net_lat: F64  # (R, R) extra latency between regions
    reserved: F64  # per cluster: CPU cores other workloads hold
    pool_factor: F64  # per edge: share of the connection pool still usable
    clients: dict[tuple[int, str], float]  # (front, client) -> share of abusive traffic seen

    @classmethod
    def neutral(cls, w: World) -> Modifiers:
        """Modifiers that change nothing in world ``w`` (new arrays, every tick).

        Zeros come fresh from ``np.zeros``; ones and infinities are copied from cached
        templates, which is three times cheaper than ``np.ones`` and cheaper than resetting
        last tick's arrays in place."""
        n, k, e = w.n, w.k, w.e
        r = max(len(w.regions), 1)
        one_n, one_e = filled(n, 1.0), filled(e, 1.0)
        return cls(
            svc_factor=one_n.copy(),
            cap_factor=one_n.copy(),
            cpu_factor=one_n.copy(),
            lat_add=np.zeros(n),
            leak=np.zeros(n),
            shed=np.zeros(n),
            write_factor=one_n.copy(),
            apply_factor=one_n.copy(),
            err=np.zeros((k, n)),
            wrong=np.zeros((k, n)),
            lost=np.zeros((k, n)),
            rate_factor=np.ones(len(w.journeys)),
            edge_fail=np.zeros(e),
            edge_lat=np.zeros(e),
            edge_retries=w.retries.copy(),
            block=np.zeros((k, n)),
            unready=np.zeros(n),
            crash=np.zeros(n),
            start_blocked=np.zeros(n),
            mem_add=np.zeros(n),
            disk_add=np.zeros(n),
            fd_leak=np.zeros(n),
            quota=filled(n, np.inf).copy(),
            skew=np.zeros(n),
            skew_share=one_n.copy(),
            scraped=one_n.copy(),
            edge_off=np.zeros(e),
            edge_open=np.zeros(e),
            net_fail=np.zeros((r, r)),
            net_lat=np.zeros((r, r)),
            reserved=np.zeros(len(w.cluster_nodes)),
            pool_factor=one_e.copy(),
            clients={},
        )

    def add_err(self, i: int, share: float, kmask: F64) -> None:
        """Fail ``share`` of the requests of component ``i`` for the classes in ``kmask``."""
        self.err[:, i] = 1.0 - (1.0 - self.err[:, i]) * (1.0 - share * kmask)


_FILLED: dict[tuple[int, float], F64] = {}


def filled(size: int, value: float) -> F64:
    """A read-only array of ``size`` copies of ``value``, made once, to copy from."""
    template = _FILLED.get((size, value))
    if template is None:
        template = np.full(size, value)
        template.flags.writeable = False
        _FILLED[(size, value)] = template
    return template


@dataclass
class Rollout:
    """A deploy in progress on one component."""

    to: str
    start: float
    duration: float
    strategy: str
    weight: float
    paused: bool = False
    hold: float | None = None  # weight frozen by a pause
    rollback: bool = False  # a rollback canary: ``to`` is the version rolled back to
    stop_at: float | None = None  # a deploy that stops part-way (``Deploy.reached``)


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
        if r.hold is not None:
            return r.hold
        if r.strategy == "canary":
            w = r.weight
        elif r.strategy == "rolling":
            w = min(1.0, max(0.0, (now - r.start) / max(r.duration, 1.0)))
        else:
            w = 1.0
        return w if r.stop_at is None else min(w, r.stop_at)

    def settle(self, now: float) -> bool:
        """Finish a rolling or instant rollout that has reached every pod."""
        r = self.rollout
        if r is None or r.paused or r.strategy == "canary":
            return False
        if self.weight(now) >= 1.0:
            if not r.rollback:  # a rollback drops the version it leaves
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
    # parameters that config, faults and mitigations change (start as the world's)
    cpu_limit: F64 = field(default_factory=lambda: np.zeros(0))
    mem_limit: F64 = field(default_factory=lambda: np.zeros(0))
    disk_gb: F64 = field(default_factory=lambda: np.zeros(0))
    liveness: F64 = field(default_factory=lambda: np.zeros(0))
    cert_expiry: F64 = field(default_factory=lambda: np.zeros(0))
    quota_scale: F64 = field(default_factory=lambda: np.zeros(0))
    fds: F64 = field(default_factory=lambda: np.zeros(0))
    probe_fail: F64 = field(default_factory=lambda: np.zeros(0))
    lost_pulse: F64 = field(default_factory=lambda: np.zeros(0))
    err_pulse: F64 = field(default_factory=lambda: np.zeros(0))
    as_max: F64 = field(default_factory=lambda: np.zeros(0))
    as_target: F64 = field(default_factory=lambda: np.zeros(0))
    as_metric: dict[int, str] = field(default_factory=dict)
    timeout: F64 = field(default_factory=lambda: np.zeros(0))
    pool: F64 = field(default_factory=lambda: np.zeros(0))
    retries: F64 = field(default_factory=lambda: np.zeros(0))
    deny_slow: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    deny_fast: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    waf: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    region: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    nodes: F64 = field(default_factory=lambda: np.zeros(0))
    resets: dict[tuple[str, int], float] = field(default_factory=dict)
    """When a mitigation last reset something on a component: ``("restart", i) -> time``."""
    config_log: list[tuple[int, str, str | None]] = field(default_factory=list)
    pending_noted: set[int] = field(default_factory=set)
    timers: list[tuple[float, int, str, int, float]] = field(default_factory=list)
    seq: int = 0

    def reset_since(self, what: str, i: int, since: float) -> bool:
        """Whether ``what`` was reset on component ``i`` at or after ``since``."""
        return self.resets.get((what, i), -np.inf) >= since

    @classmethod
    def initial(cls, w: World) -> State:
        n, k, e = w.n, w.k, w.e
        sc = w.scenario
        deploys = sorted(sc.deploys, key=lambda d: d.at)
        versions: dict[int, Versions] = {}
        from chaosgame.engine.fleet import initial_versions

        for i, c in enumerate(sc.components):
            past = [d for d in deploys if d.component == c.name and d.at <= 0]
            versions[i] = initial_versions(sc, c.name, c.version, past)
        config: dict[tuple[int, str], str] = {}
        log: list[tuple[int, str, str | None]] = []
        for cfg in sorted(sc.configs, key=lambda x: x.at):
            if cfg.at <= 0:
                where = (w.index[cfg.component], cfg.key)
                log.append((where[0], cfg.key, config.get(where, cfg.previous)))
                config[where] = cfg.value
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
            cpu_limit=w.cpu_limit.copy(),
            mem_limit=w.mem_limit.copy(),
            disk_gb=w.disk_gb.copy(),
            liveness=w.liveness.copy(),
            cert_expiry=w.cert_expiry.copy(),
            quota_scale=np.ones(n),
            fds=np.zeros(n),
            probe_fail=np.zeros(n),
            lost_pulse=np.zeros(n),
            err_pulse=np.zeros(n),
            as_max=np.full(n, np.nan),
            as_target=np.full(n, np.nan),
            timeout=w.timeout.copy(),
            pool=w.pool.copy(),
            retries=w.retries.copy(),
            deny_slow=np.zeros(e, dtype=np.bool_),
            deny_fast=np.zeros(e, dtype=np.bool_),
            waf=np.zeros((k, n)),
            region=w.region.copy(),
            nodes=w.cluster_nodes.copy(),
            config_log=log,
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
