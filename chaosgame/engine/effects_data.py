"""Effects of the catalogue's data, load, network, resource, security and third-party kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.config import set_config
from chaosgame.engine.control import take_down
from chaosgame.engine.data import diverge, diverge_from
from chaosgame.engine.evidence import table_of
from chaosgame.engine.faults import effect, introduces
from chaosgame.engine.state import Modifiers
from chaosgame.engine.world import F64
from chaosgame.scenario.fault_kinds_data import (
    BackfillSaturation,
    CacheStampede,
    CertExpired,
    ClockSkew,
    CredentialStuffing,
    DatabaseCrash,
    DiskFull,
    FdExhaustion,
    GcPauses,
    HotShard,
    IncompatibleSchema,
    MetastableOverload,
    MigrationLock,
    NetworkLatency,
    NoFault,
    PacketLoss,
    PoisonMessage,
    PoolExhaustion,
    QueueBacklog,
    RegionPartition,
    ReplicationLag,
    RequestStarvation,
    RetryStorm,
    RevokedAccess,
    SecretNotReloaded,
    SlowQueryPlan,
    SplitBrain,
    StaleFailover,
    ThirdPartyRateLimit,
    ThirdPartySlow,
    ThunderingHerd,
    WafBlocksUsers,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


def _combine(a: float, b: float) -> float:
    return 1.0 - (1.0 - a) * (1.0 - b)


def _fail_edge(m: Modifiers, e: int, share: float) -> None:
    m.edge_fail[e] = _combine(float(m.edge_fail[e]), share)


def _wrong(m: Modifiers, i: int, share: float, kmask: F64) -> None:
    m.wrong[:, i] = 1.0 - (1.0 - m.wrong[:, i]) * (1.0 - share * kmask)


def replicas_of(sim: Simulator, i: int) -> list[int]:
    """Components that replicate database ``i``."""
    return [int(r) for r in np.flatnonzero(sim.world.replica_of == i)]


# ------------------------------------------------------------- databases


@effect(MigrationLock)
def _lock(f: MigrationLock, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    st = sim.state
    if st.reset_since("pause-job", i, f.at) or st.reset_since("kill-query", i, f.at):
        return
    m.add_err(i, f.share * x, kmask)
    m.lat_add[i] += f.share * f.wait * x


@introduces(MigrationLock)
def _lock_intro(f: MigrationLock, sim: Simulator, i: int) -> None:
    table = table_of(sim, i)
    sim.record("migration", sim.world.names[i], f"migration started: ALTER TABLE {table} ...")


@effect(BackfillSaturation)
def _backfill(
    f: BackfillSaturation, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    if sim.state.reset_since("pause-job", i, f.at):
        return
    m.cap_factor[i] *= 1.0 - f.capacity_taken * x
    m.write_factor[i] *= 1.0 + (f.write_factor - 1.0) * x
    for r in replicas_of(sim, i):
        m.apply_factor[r] *= 1.0 / (1.0 + (f.write_factor - 1.0) * x)


@introduces(BackfillSaturation)
def _backfill_intro(f: BackfillSaturation, sim: Simulator, i: int) -> None:
    sim.record("migration", sim.world.names[i], "backfill job started: 48M rows")


@introduces(IncompatibleSchema)
def _schema_intro(f: IncompatibleSchema, sim: Simulator, i: int) -> None:
    sim.record("migration", f.database, "migration applied: drop column, rename column")


@effect(IncompatibleSchema)
def _schema(
    f: IncompatibleSchema, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    old = 1.0 - sim.state.versions[i].share(f.reads_with, sim.now)
    m.add_err(i, f.error_rate * x * old, kmask)


@effect(SlowQueryPlan)
def _plan(f: SlowQueryPlan, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if not sim.state.reset_since("kill-query", i, f.at):
        m.svc_factor[i] *= 1.0 + (f.factor - 1.0) * x
        m.cpu_factor[i] *= 1.0 + (f.factor - 1.0) * x


@effect(PoolExhaustion)
def _leak_pool(
    f: PoolExhaustion, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    w, st = sim.world, sim.state
    e = w.edge_index[(w.names[i], f.to)]
    key = ("pool-leak", i, e)
    since = st.resets.get(("restart", i), -np.inf)
    leaked, counted_from = sim.memo.get(key, (0.0, since))
    if counted_from != since:
        leaked = 0.0
    leaked += f.leak_per_1k / 1000.0 * float(sim.edge_rate[:, e].sum()) * sim.dt * x
    sim.memo[key] = (leaked, since)
    size = st.pool[e] * max(st.ready[i], 1.0)
    if size > 0:
        m.pool_factor[e] *= max(1.0 - leaked / size, 0.0)


@effect(ReplicationLag)
def _lag(f: ReplicationLag, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if not sim.state.reset_since("kill-query", i, f.at):
        m.apply_factor[i] *= 1.0 - (1.0 - f.apply_factor) * x


@effect(HotShard)
def _hot(f: HotShard, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.state.reset_since("split-shard", i, f.at):
        return
    load = float(sim.offered[:, i].sum()) if hasattr(sim, "offered") else 0.0
    shard = sim.world.capacity[i] * m.cap_factor[i] / m.svc_factor[i]
    hot = f.share * load * x
    over = max(0.0, 1.0 - shard / hot) if hot > 0 else 0.0
    m.add_err(i, f.share * over, kmask)
    m.lat_add[i] += f.share * min(over * 2.0, 1.0)


@effect(DiskFull)
def _disk(f: DiskFull, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.disk_add[i] += f.gb_per_hour / 3600.0 * x


@effect(DatabaseCrash)
def _crash(f: DatabaseCrash, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.state.reset_since("failover", i, f.at) or sim.state.reset_since("restore", i, f.at):
        return
    m.add_err(i, x, np.ones(sim.world.k))
    for r in replicas_of(sim, i):
        m.apply_factor[r] = 0.0


# ------------------------------------------------------------- load and dynamics


@introduces(RetryStorm)
def _retry_intro(f: RetryStorm, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"retries:{f.to}", str(f.retries), "config-push")


@effect(RetryStorm)
def _retry(f: RetryStorm, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.now - f.at < f.blip:
        m.add_err(sim.world.index[f.to], f.blip_error * x, kmask)


@effect(CacheStampede)
def _stampede(f: CacheStampede, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.state.reset_since("warm-cache", i, f.at):
        return
    since = sim.now - f.at
    if since % f.ttl < sim.dt - 1e-9:
        sim.state.hit[i] *= 1.0 - f.expired * x


@introduces(ThunderingHerd)
def _herd_intro(f: ThunderingHerd, sim: Simulator, i: int) -> None:
    sim.record("restart", sim.world.names[i], "node reboot: every replica restarted", "kured")
    take_down(sim, i, int(sim.state.ready[i]), "restart", backoff=False)


@effect(ThunderingHerd)
def _herd(f: ThunderingHerd, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w = sim.world
    # every restart (the first, or one a player orders) sends every client back at once
    t0 = max(f.at, sim.state.resets.get(("restart", i), -np.inf))
    back = sim.now - t0 >= w.restart_time[i]
    herding = sim.now - t0 < w.restart_time[i] + 120.0
    throttle = getattr(sim, "throttle", None)
    if back and (herding or (throttle is not None and throttle[i] > 1.0)):
        m.cpu_factor[i] *= 1.0 + (f.handshake_cost - 1.0) * x


@effect(PoisonMessage)
def _poison(f: PoisonMessage, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w = sim.world
    if sim.state.reset_since("dead-letter", i, f.at):
        return
    for e in np.flatnonzero((w.src == i) & w.is_async):
        c = int(w.dst[e])
        m.crash[c] = max(m.crash[c], x)


@effect(QueueBacklog)
def _slow_consumer(
    f: QueueBacklog, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.svc_factor[i] *= 1.0 + (f.factor - 1.0) * x


@effect(RequestStarvation)
def _starve(
    f: RequestStarvation, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    w = sim.world
    j = w.journeys.index(f.journey)
    m.rate_factor[j] *= 1.0 + (f.factor - 1.0) * x
    served = sim.served[:, i]
    total = float(served.sum())
    heavy = float(served[w.class_journey == j].sum()) / total if total > 0 else 0.0
    m.cap_factor[i] /= 1.0 + heavy * (f.cost - 1.0) * x


@effect(MetastableOverload)
def _burst(
    f: MetastableOverload, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    if sim.now - f.at < f.trigger:
        j = sim.world.journeys.index(f.journey)
        m.rate_factor[j] *= 1.0 + (f.factor - 1.0) * x


# ------------------------------------------------------------- network and regions


def _pair(
    sim: Simulator, f: NetworkLatency | PacketLoss | RegionPartition, i: int
) -> tuple[int, int] | None:
    w = sim.world
    a = int(w.region[i])
    if a < 0 or f.region not in w.regions:
        return None
    return a, w.regions.index(f.region)


@effect(NetworkLatency)
def _net_lat(f: NetworkLatency, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    pair = _pair(sim, f, i)
    if pair is not None:
        a, b = pair
        m.net_lat[a, b] += f.added_latency * x
        m.net_lat[b, a] += f.added_latency * x


@effect(PacketLoss)
def _loss(f: PacketLoss, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    pair = _pair(sim, f, i)
    if pair is not None:
        a, b = pair
        for p, q in ((a, b), (b, a)):
            m.net_fail[p, q] = _combine(float(m.net_fail[p, q]), f.loss * x)
            m.net_lat[p, q] += 0.2 * f.loss * x  # retransmissions


@effect(RegionPartition)
def _partition(
    f: RegionPartition, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    pair = _pair(sim, f, i)
    if pair is not None:
        a, b = pair
        m.net_fail[a, b] = m.net_fail[b, a] = _combine(float(m.net_fail[a, b]), x)


@introduces(StaleFailover)
def _stale_intro(f: StaleFailover, sim: Simulator, i: int) -> None:
    st = sim.state
    reps = replicas_of(sim, i)
    if reps:
        r = reps[0]
        st.region[i], st.region[r] = st.region[r], st.region[i]
    st.lost_pulse[i] = _combine(float(st.lost_pulse[i]), f.lost_share)
    sim.record(
        "failover", sim.world.names[i], "automatic failover: replica promoted", "orchestrator"
    )


@effect(StaleFailover)
def _stale(f: StaleFailover, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if not sim.state.reset_since("failover", i, f.at + 1e-6):
        _wrong(m, i, f.stale_share * x, kmask)


@introduces(SplitBrain)
def _split_intro(f: SplitBrain, sim: Simulator, i: int) -> None:
    if f.writes_elsewhere is None or sim.data is None:
        return
    st = sim.state
    reps = replicas_of(sim, i)
    if reps:  # a replica is promoted; what it had not applied stays only on the old primary
        r = reps[0]
        st.region[i], st.region[r] = st.region[r], st.region[i]
        diverge_from(sim, i, float(st.repl_backlog[r]))
        st.repl_backlog[r] = 0.0
    sim.record(
        "failover", sim.world.names[i], "automatic failover: replica promoted", "orchestrator"
    )


@effect(SplitBrain)
def _split(f: SplitBrain, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if f.writes_elsewhere is not None and sim.data is not None:
        diverge(sim, i, f.writes_elsewhere * x)
        return
    if not sim.state.reset_since("failover", i, f.at):
        share = min(0.5, f.conflict_per_min * (sim.now - f.at) / 60.0)
        _wrong(m, i, share * x, kmask)


# ------------------------------------------------------------- resources and time


@effect(FdExhaustion)
def _fds(f: FdExhaustion, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.fd_leak[i] += f.per_1k_requests / 1000.0 * x


@effect(ClockSkew)
def _clock(f: ClockSkew, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    c = int(sim.world.cluster[i])
    if c >= 0 and sim.state.reset_since("drain", c, f.at):
        return
    if x > 0:
        m.skew[i] += f.skew
        m.skew_share[i] = f.share


@effect(GcPauses)
def _gc(f: GcPauses, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w, st = sim.world, sim.state
    m.mem_add[i] += f.live_set_mb * x
    occupancy = min((w.mem_base[i] + m.mem_add[i]) / st.mem_limit[i], 1.0)
    pause = min(0.9, 0.5 * occupancy**6)
    m.cap_factor[i] *= 1.0 - pause
    m.lat_add[i] += 0.3 * pause


# ------------------------------------------------------------- security


@introduces(CertExpired)
def _cert(f: CertExpired, sim: Simulator, i: int) -> None:
    sim.state.cert_expiry[i] = min(float(sim.state.cert_expiry[i]), f.at)


@introduces(SecretNotReloaded)
def _rotate(f: SecretNotReloaded, sim: Simulator, i: int) -> None:
    sim.record("secret", f.to, f"credential of {sim.world.names[i]} rotated by vault", "vault")


@effect(SecretNotReloaded)
def _secret(
    f: SecretNotReloaded, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    st = sim.state
    if st.reset_since("reload-secret", i, f.at) or st.reset_since("restart", i, f.at):
        return
    _fail_edge(m, sim.world.edge_index[(sim.world.names[i], f.to)], x)


@effect(CredentialStuffing)
def _stuffing(
    f: CredentialStuffing, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    w = sim.world
    j = w.journeys.index(f.journey)
    front = int(w.journey_front[j])
    if sim.state.reset_since(f"block:{f.client}", front, f.at):
        return
    extra = (f.factor - 1.0) * x
    m.rate_factor[j] *= 1.0 + extra
    abusive = extra / (1.0 + extra)
    m.cpu_factor[i] *= 1.0 + (f.cpu_factor - 1.0) * abusive
    m.clients[(front, f.client)] = m.clients.get((front, f.client), 0.0) + abusive


@introduces(WafBlocksUsers)
def _waf(f: WafBlocksUsers, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"waf_block:{f.journey}", f"{f.share:g}", "security-team")


@introduces(RevokedAccess)
def _revoke(f: RevokedAccess, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"grant:{f.to}", "false", "iam-sync")


# ------------------------------------------------------------- third parties


@effect(ThirdPartySlow)
def _slow(f: ThirdPartySlow, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.lat_add[i] += f.added_latency * x


@effect(ThirdPartyRateLimit)
def _quota(
    f: ThirdPartyRateLimit, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    if x > 0:
        m.quota[i] = min(float(m.quota[i]), f.quota_rps * float(sim.state.quota_scale[i]))


# ------------------------------------------------------------- no fault


@effect(NoFault)
def _nothing(f: NoFault, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if f.artefact == "metrics-gap":
        m.scraped[i] = 0.0
    else:
        m.cpu_factor[i] *= 1.0 + 0.8 * x
