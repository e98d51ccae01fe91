"""Effects of the catalogue's mitigations beyond the first ones (``scenario/mitigation_kinds``).

Every side effect is simulated, not narrated: a failover loses the writes its replica had not
applied, a region failover starts cold caches, raising a limit restarts pods in waves, a
resized pool opens more connections, warming a cache loads its store, a fallback answers
worse, killing queries fails the ones in flight.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import blocking
from chaosgame.engine.capacity import add_nodes, add_subnet
from chaosgame.engine.config import revert_last, set_config
from chaosgame.engine.control import reschedule_lost, take_down
from chaosgame.engine.costs import launched, stale_primary
from chaosgame.engine.data import lose, on_failover
from chaosgame.engine.mitigations import applies
from chaosgame.engine.state import Modifiers
from chaosgame.scenario.actions import MitigationBase
from chaosgame.scenario.mitigation_kinds import (
    AddNodes,
    AddSubnet,
    BlockClient,
    CompleteRollout,
    DeadLetter,
    DrainNode,
    FailoverDb,
    FailoverRegion,
    KillQuery,
    OpenBreaker,
    PauseJob,
    PauseRollout,
    PromoteReplica,
    RaiseLimit,
    RaiseQuota,
    RateLimit,
    ReloadSecret,
    RenewCert,
    ResizePool,
    RevertConfig,
    ShiftTraffic,
    SilenceAlert,
    SplitShard,
    SwitchFallback,
    WarmCache,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

CERT_LIFETIME = 90 * 86400.0
WARM_LOAD = 0.5
"""Share of the backing store's capacity a cache-warming job takes while it runs."""
WARM_TIME = 120.0


def _i(sim: Simulator, spec: MitigationBase) -> int:
    return sim.world.index[spec.target]


# ------------------------------------------------------------- releases


@applies(PauseRollout)
def _pause(spec: PauseRollout, sim: Simulator) -> str:
    v = sim.state.versions[_i(sim, spec)]
    r = v.rollout
    if r is None:
        return "no rollout in progress"
    r.hold, r.paused = v.weight(sim.now), True
    return f"rollout of {r.to} paused at {r.hold:.0%}"


@applies(ShiftTraffic)
def _shift(spec: ShiftTraffic, sim: Simulator) -> str:
    v = sim.state.versions[_i(sim, spec)]
    r = v.rollout
    if r is None:
        return f"no canary or green stack; all traffic stays on {v.stable}"
    r.hold, r.paused = spec.weight, True
    return f"{spec.weight:.0%} of traffic on {r.to}, {1 - spec.weight:.0%} on {v.stable}"


@applies(CompleteRollout)
def _complete(spec: CompleteRollout, sim: Simulator) -> str:
    v = sim.state.versions[_i(sim, spec)]
    r = v.rollout
    if r is None:
        return f"no rollout in progress; {v.stable} everywhere"
    v.history.append(v.stable)
    v.stable, v.rollout = r.to, None
    return f"{r.to} promoted to every pod"


@applies(RevertConfig)
def _revert(spec: RevertConfig, sim: Simulator) -> str:
    return revert_last(sim, _i(sim, spec), spec.key, "player")


# ------------------------------------------------------------- capacity and resources


@applies(RaiseLimit)
def _limit(spec: RaiseLimit, sim: Simulator) -> str:
    i, st = _i(sim, spec), sim.state
    if spec.resource == "disk":
        if not np.isfinite(st.disk_gb[i]):
            return "no disk tracked on this component; nothing changed"
        set_config(sim, i, "disk_gb", f"{st.disk_gb[i] * spec.factor:g}", "player", record=False)
        return f"disk grown to {st.disk_gb[i]:g} GB"
    if spec.resource == "cpu":
        set_config(
            sim, i, "cpu_limit", f"{st.cpu_limit[i] * spec.factor:g}", "player", record=False
        )
        new = f"cpu limit {st.cpu_limit[i]:g} cores"
    else:
        value = f"{st.mem_limit[i] * spec.factor:g}"
        set_config(sim, i, "memory_limit_mb", value, "player", record=False)
        new = f"memory limit {st.mem_limit[i]:g} MB"
    # a new limit means new pods: a quarter of them restart at a time
    wave = max(1, math.ceil(st.ready[i] / 4))
    take_down(sim, i, wave, "restart", backoff=False)
    return f"{new}; pods restarting in waves"


@applies(ResizePool)
def _pool(spec: ResizePool, sim: Simulator) -> str:
    set_config(sim, _i(sim, spec), f"pool:{spec.to}", str(spec.size), "player", record=False)
    return f"pool to {spec.to} is {spec.size} connections per replica"


@applies(AddNodes)
def _add_nodes(spec: AddNodes, sim: Simulator) -> str:
    c = [cl.name for cl in sim.scenario.clusters].index(spec.target)
    before = int(sim.state.nodes[c])
    text = add_nodes(sim, c, spec.count)
    launched(sim, c, int(sim.state.nodes[c]) - before)  # billed from now on
    return text


@applies(AddSubnet)
def _add_subnet(spec: AddSubnet, sim: Simulator) -> str:
    c = [cl.name for cl in sim.scenario.clusters].index(spec.target)
    return add_subnet(sim, c, spec.addresses)


@applies(DrainNode)
def _drain(spec: DrainNode, sim: Simulator) -> str:
    w, st = sim.world, sim.state
    c = [cl.name for cl in sim.scenario.clusters].index(spec.target)
    st.resets[("drain", c)] = sim.now
    moved = reschedule_lost(sim, c)
    if moved:
        return f"dead node drained; {moved} pods rescheduled now"
    if st.nodes[c] <= 1:
        return "only one node; nothing to drain to"
    for i in np.flatnonzero(w.cluster == c):
        count = math.ceil(st.ready[i] / st.nodes[c] - 1e-9)
        take_down(sim, int(i), count, "restart", backoff=False)
    st.nodes[c] -= 1
    return "node cordoned and drained; its pods restart elsewhere"


# ------------------------------------------------------------- data


def _failover(sim: Simulator, p: int, to: int | None = None) -> str:
    """Promote replica ``to`` of primary ``p`` (default: its first replica)."""
    w, st = sim.world, sim.state
    reps = [int(r) for r in np.flatnonzero(w.replica_of == p)]
    if not reps:
        return "no replica to fail over to; nothing changed"
    r = reps[0] if to is None else to
    # the writes the replica had not applied are lost, whatever the orchestrator waits for
    lost = float(st.repl_backlog[r])
    if sim.data is not None:
        lost = on_failover(sim, p, lost)  # counted as writes
    else:
        lose(sim, p, lost)  # counted as writes, with or without a data: block
    st.region[p], st.region[r] = st.region[r], st.region[p]
    st.repl_backlog[r] = 0.0
    st.resets[("failover", p)] = sim.now
    how = "nothing unreplicated" if lost == 0 else f"losing {lost:.0f} unreplicated writes"
    stale = stale_primary(sim, p)
    still = f"; {', '.join(stale)} still cache the old address" if stale else ""
    return f"{w.names[r]} promoted, {how}; {w.names[p]} now served from it{still}"


@applies(FailoverDb)
def _failover_db(spec: FailoverDb, sim: Simulator) -> str:
    p = _i(sim, spec)
    reps = np.flatnonzero(sim.world.replica_of == p)
    # the orchestrator promotes the replica furthest ahead (the first of equals)
    to = int(reps[np.argmin(sim.state.repl_backlog[reps])]) if reps.size else None
    return _failover(sim, p, to=to)


@applies(PromoteReplica)
def _promote(spec: PromoteReplica, sim: Simulator) -> str:
    i = _i(sim, spec)
    p = int(sim.world.replica_of[i])
    if p < 0:
        return "not a replica; nothing changed"
    return _failover(sim, p, to=i)


@applies(FailoverRegion)
def _region(spec: FailoverRegion, sim: Simulator) -> str:
    from chaosgame.engine.steering import evacuate

    w, st = sim.world, sim.state
    src, dst = w.regions.index(spec.target), w.regions.index(spec.to)
    drained = evacuate(sim, src, dst)  # balanced shares move to the other region's members
    moved = 0
    for i in np.flatnonzero(st.region == src):
        if int(i) in drained:
            continue  # drained: it stays idle where it is, its load is elsewhere now
        reps = [int(r) for r in np.flatnonzero(w.replica_of == i) if st.region[r] == dst]
        if reps:
            _failover(sim, int(i))
        st.region[i] = dst
        if w.is_cache[i]:
            st.hit[i] = 0.0  # the other region's cache starts cold
        st.resets[("failover", int(i))] = sim.now
        moved += 1
    if drained:
        return (
            f"{len(drained)} drained, their load now on {spec.to}; {moved} more components now "
            f"serve from {spec.to}"
        )
    return f"{moved} components now serve from {spec.to}"


@applies(KillQuery)
def _kill(spec: KillQuery, sim: Simulator) -> str:
    i = _i(sim, spec)
    sim.state.resets[("kill-query", i)] = sim.now
    sim.state.err_pulse[i] = max(float(sim.state.err_pulse[i]), 0.05)
    return "long-running queries killed; plans recomputed"


@applies(PauseJob)
def _pause_job(spec: PauseJob, sim: Simulator) -> str:
    sim.state.resets[("pause-job", _i(sim, spec))] = sim.now
    return "background jobs paused (the work they had left is not done)"


@applies(SplitShard)
def _split(spec: SplitShard, sim: Simulator) -> str:
    sim.state.resets[("split-shard", _i(sim, spec))] = sim.now
    return "hot keys moved to their own shard"


# ------------------------------------------------------------- traffic and resilience


@applies(RateLimit)
def _rate_limit(spec: RateLimit, sim: Simulator) -> str:
    w = sim.world
    i = _i(sim, spec)
    mask = np.ones(w.k)
    if spec.journey is not None:
        if spec.journey not in w.journeys:
            return f"unknown journey '{spec.journey}'; nothing changed"
        mask *= w.class_journey == w.journeys.index(spec.journey)
    if spec.tenant is not None:
        if spec.tenant not in w.tenants:
            return f"unknown tenant '{spec.tenant}'; nothing changed"
        mask *= w.class_tenant == w.tenants.index(spec.tenant)
    share = spec.fraction * mask

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.block[:, i] = 1.0 - (1.0 - m.block[:, i]) * (1.0 - share)

    who = spec.journey or spec.tenant or "all traffic"
    sim.standing[("rate-limit", f"{spec.target}:{who}")] = standing
    return f"rejecting {spec.fraction:.0%} of {who}"


@applies(OpenBreaker)
def _open(spec: OpenBreaker, sim: Simulator) -> str:
    e = sim.world.edge_index[(spec.target, spec.to)]

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.edge_open[e] = 1.0

    sim.standing[("open-breaker", f"{spec.target}->{spec.to}")] = standing
    return f"circuit to {spec.to} held open: calls fail fast"


@applies(WarmCache)
def _warm(spec: WarmCache, sim: Simulator) -> str:
    w, st = sim.world, sim.state
    i = _i(sim, spec)
    st.hit[i] = w.hit_target[i]
    st.resets[("warm-cache", i)] = sim.now
    stores = [int(d) for d in w.dst[w.src == i]]
    until = sim.now + WARM_TIME

    def standing(sim: Simulator, m: Modifiers) -> None:
        if sim.now < until:
            for d in stores:
                m.cap_factor[d] *= 1.0 - WARM_LOAD

    sim.standing[("warm-cache", spec.target)] = standing
    return "hot keys loaded; the store carries the warming job for two minutes"


@applies(DeadLetter)
def _dlq(spec: DeadLetter, sim: Simulator) -> str:
    sim.state.resets[("dead-letter", _i(sim, spec))] = sim.now
    return "1 message moved to the dead-letter queue (it will need replaying)"


# ------------------------------------------------------------- security


@applies(RenewCert)
def _renew(spec: RenewCert, sim: Simulator) -> str:
    sim.state.cert_expiry[_i(sim, spec)] = sim.now + CERT_LIFETIME
    return "new certificate installed, valid 90 days"


@applies(ReloadSecret)
def _reload(spec: ReloadSecret, sim: Simulator) -> str:
    sim.state.resets[("reload-secret", _i(sim, spec))] = sim.now
    return "secrets re-read"


@applies(BlockClient)
def _block(spec: BlockClient, sim: Simulator) -> str:
    i = _i(sim, spec)
    sim.state.resets[(f"{blocking.PREFIX}{spec.client}", i)] = sim.now
    if blocking.everyone(spec.client):
        blocking.block_everyone(sim, i, spec.client)
        return f"{spec.client} blocked: every address, so every request is rejected"
    return f"{spec.client} blocked"


# ------------------------------------------------------------- third parties


@applies(RaiseQuota)
def _quota(spec: RaiseQuota, sim: Simulator) -> str:
    i = _i(sim, spec)
    sim.state.quota_scale[i] *= spec.factor
    return f"quota x{sim.state.quota_scale[i]:g} (billed)"


@applies(SwitchFallback)
def _fallback(spec: SwitchFallback, sim: Simulator) -> str:
    w = sim.world
    i, e = _i(sim, spec), w.edge_index[(spec.target, spec.to)]
    degraded = spec.degraded

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.edge_off[e] = 1.0
        m.wrong[:, i] = 1.0 - (1.0 - m.wrong[:, i]) * (1.0 - degraded)

    sim.standing[("switch-fallback", f"{spec.target}->{spec.to}")] = standing
    return f"no longer calling {spec.to}; answering with the fallback"


# ------------------------------------------------------------- alerts


@applies(SilenceAlert)
def _silence(spec: SilenceAlert, sim: Simulator) -> str:
    sim.memo.setdefault("silenced", {})[spec.target] = sim.now + spec.duration
    return f"alerts on {spec.target} silenced for {spec.duration / 60:.0f} min"
