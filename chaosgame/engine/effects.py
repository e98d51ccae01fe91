"""Effects of the catalogue's fault kinds (``chaosgame.scenario.fault_kinds``).

Each effect writes modifiers, or a kind *introduces* a change at its start (a deploy, a config
push) whose consequences the engine's general laws produce. A fault that a remedy ends checks
``state.reset_since(what, i, fault.at)``: a restart, a failover, a killed query, a drained
node, a reloaded secret... The tick never names a kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.config import set_config
from chaosgame.engine.control import lose_node, take_down
from chaosgame.engine.faults import effect, introduces
from chaosgame.engine.rng import derive
from chaosgame.engine.state import Modifiers
from chaosgame.engine.state import Rollout as RolloutState
from chaosgame.engine.world import F64
from chaosgame.scenario.fault_kinds import (
    AutoscalerCapped,
    AutoscalerWrongMetric,
    BadCanary,
    BadConfig,
    BlueGreenColdCache,
    BrokenFlag,
    ClusterFull,
    ConfigDrift,
    CpuThrottling,
    DependencyUpgrade,
    IacOverwroteHotfix,
    IacRemovedRule,
    IacShrankPool,
    ImagePullFailure,
    MutableTag,
    NodeFailure,
    OomWorkingSet,
    ReadinessNeverPasses,
    Rollout,
    SkippedValidation,
    StaleDns,
    StrictLivenessProbe,
    VersionSkew,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


def _note(sim: Simulator, key: str) -> bool:
    """True the first time ``key`` is seen (for events a fault reports once)."""
    noted: set[str] = sim.memo.setdefault("noted", set())
    if key in noted:
        return False
    noted.add(key)
    return True


def _edge(sim: Simulator, i: int, to: str) -> int:
    return sim.world.edge_index[(sim.world.names[i], to)]


def start_rollout(f: Rollout, sim: Simulator, i: int) -> None:
    """Deploy the fault's version on component ``i`` the way the fault says (its strategy,
    weight and duration), unless the scenario's history does it then or later."""
    deploy(sim, i, f.version, f.strategy, f.weight, f.duration, since=f.at)


def deploy(
    sim: Simulator,
    i: int,
    version: str,
    strategy: str = "rolling",
    weight: float = 1.0,
    duration: float = 300.0,
    since: float | None = None,
) -> None:
    """Deploy ``version`` on component ``i`` unless it already runs it or the scenario's
    history deploys it at ``since`` (default: now) or later: that deploy is the one meant,
    and a fault bound to the version waits for it. A deploy of the version earlier in the
    history, since replaced, does not stop this one."""
    name = sim.world.names[i]
    start = sim.now if since is None else since
    if any(
        d.component == name and d.version == version and d.at >= start for d in sim.scenario.deploys
    ):
        return
    v = sim.state.versions[i]
    if v.stable == version or (v.rollout is not None and v.rollout.to == version):
        return
    v.rollout = RolloutState(version, sim.now, duration, strategy, weight)
    how = f"{strategy} at {weight:.0%}" if strategy == "canary" else strategy
    sim.record("deploy", name, f"{version} ({how}) by deploy-bot", "deploy-bot")


def _share(sim: Simulator, i: int, version: str) -> float:
    return sim.state.versions[i].share(version, sim.now)


# ------------------------------------------------------------- change-induced

introduces(
    BadCanary,
    VersionSkew,
    DependencyUpgrade,
    SkippedValidation,
    ImagePullFailure,
    ReadinessNeverPasses,
)(start_rollout)


@effect(BadCanary)
def _bad_canary(f: BadCanary, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x, kmask)


@effect(VersionSkew)
def _skew(f: VersionSkew, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    v = sim.state.versions[i]
    r = v.rollout
    if r is not None and r.to == f.version and r.hold is None and v.weight(sim.now) >= f.stall_at:
        r.hold, r.paused = f.stall_at, True
        sim.record("deploy", sim.world.names[i], "rollout stalled: progress deadline exceeded")
    w = _share(sim, i, f.version)
    m.add_err(i, f.error_rate * f.intensity * 2.0 * w * (1.0 - w), kmask)


@introduces(BlueGreenColdCache)
def _bg_intro(f: BlueGreenColdCache, sim: Simulator, i: int) -> None:
    start_rollout(f, sim, i)
    sim.state.hit[sim.world.index[f.cache]] = 0.0


@introduces(BadConfig)
def _bad_config_intro(f: BadConfig, sim: Simulator, i: int) -> None:
    set_config(sim, i, f.key, f.value, "config-push")


@effect(BadConfig)
def _bad_config(f: BadConfig, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.state.config.get((i, f.key)) == f.value:
        m.add_err(i, f.error_rate * x, kmask)
        m.lat_add[i] += f.added_latency * x


@introduces(BrokenFlag)
def _flag_intro(f: BrokenFlag, sim: Simulator, i: int) -> None:
    on, _ = sim.state.flags.get(f.flag, (False, 0.0))
    if not on and not any(ch.at > 0 for fl in sim.scenario.flags for ch in fl.changes):
        sim.state.flags[f.flag] = (True, f.percentage)
        sim.record("flag", sim.world.names[i], f"{f.flag} on at {f.percentage:g}% by flag-service")


@effect(BrokenFlag)
def _broken_flag(f: BrokenFlag, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x, kmask)


@effect(DependencyUpgrade)
def _upgrade(
    f: DependencyUpgrade, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    e = _edge(sim, i, f.to)
    m.edge_fail[e] = 1.0 - (1.0 - m.edge_fail[e]) * (1.0 - f.error_rate * x)


# ------------------------------------------------------------- CI/CD


def tag_version(sim: Simulator, f: MutableTag, i: int) -> str:
    """The version a mutable tag resolves to after the bad promotion (a digest, seeded)."""
    digest = f"{derive(sim.seed, f'mutable-tag/{i}/{f.at}'):016x}"[:12]
    return f"{f.tag}@sha256:{digest}"


@introduces(MutableTag)
def _tag_intro(f: MutableTag, sim: Simulator, i: int) -> None:
    deploy(sim, i, tag_version(sim, f, i))


@effect(MutableTag)
def _tag(f: MutableTag, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x * _share(sim, i, tag_version(sim, f, i)), kmask)


@effect(SkippedValidation)
def _skipped(
    f: SkippedValidation, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.wrong[:, i] = 1.0 - (1.0 - m.wrong[:, i]) * (1.0 - f.wrong_rate * x * kmask)


@introduces(ConfigDrift)
def _drift(f: ConfigDrift, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"timeout:{f.to}", f"{f.timeout:g}", "config-sync")


# ------------------------------------------------------------- infrastructure as code


@introduces(IacShrankPool)
def _shrink(f: IacShrankPool, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"pool:{f.to}", str(f.pool), "terraform")


@introduces(IacRemovedRule)
def _rule(f: IacRemovedRule, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"allow:{f.to}", "false", "terraform")


@introduces(IacOverwroteHotfix)
def _hotfix_intro(f: IacOverwroteHotfix, sim: Simulator, i: int) -> None:
    base = f"{sim.world.mem_limit[i]:g}"
    # the hand-made hotfix, applied before the window; the apply now resets it
    sim.record(
        "config",
        sim.world.names[i],
        f"memory_limit_mb={f.hotfix_limit_mb:g} by oncall",
        "oncall",
        at=min(f.at, 0.0) - 86400.0,
    )
    set_config(sim, i, "memory_limit_mb", f"{f.hotfix_limit_mb:g}", "oncall", record=False)
    set_config(sim, i, "memory_limit_mb", base, "terraform")


@effect(IacOverwroteHotfix)
def _hotfix(
    f: IacOverwroteHotfix, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.mem_add[i] += max(f.working_set_mb - sim.world.mem_base[i], 0.0) * x


# ------------------------------------------------------------- containers, orchestration


@effect(OomWorkingSet)
def _oom(f: OomWorkingSet, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.mem_add[i] += f.extra_mb * x


@introduces(CpuThrottling)
def _cpu_intro(f: CpuThrottling, sim: Simulator, i: int) -> None:
    set_config(sim, i, "cpu_limit", f"{f.cpu_limit:g}", "config-push")


@effect(ImagePullFailure)
def _pull(f: ImagePullFailure, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w = _share(sim, i, f.version)
    if w <= 0:
        return
    m.start_blocked[i] = 1.0
    m.unready[i] = max(m.unready[i], min(w, f.max_unavailable) * f.intensity)
    if _note(sim, f"pull/{i}/{f.version}"):
        sim.record(
            "scheduling",
            sim.world.names[i],
            f'Failed to pull image "{sim.world.names[i]}:{f.version}": manifest unknown; '
            "ImagePullBackOff",
        )


@effect(ClusterFull)
def _full(f: ClusterFull, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    c = int(sim.world.cluster[i])
    if c >= 0:
        m.reserved[c] += f.reserved * x * sim.world.cluster_cpu[c]


@introduces(StrictLivenessProbe)
def _probe(f: StrictLivenessProbe, sim: Simulator, i: int) -> None:
    set_config(sim, i, "liveness_timeout", f"{f.timeout:g}", "config-push")


@effect(ReadinessNeverPasses)
def _ready(
    f: ReadinessNeverPasses, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    w = _share(sim, i, f.version)
    if w <= 0:
        return
    m.unready[i] = max(m.unready[i], min(w, f.max_unavailable) * f.intensity)
    if _note(sim, f"ready/{i}/{f.version}"):
        sim.record(
            "scheduling",
            sim.world.names[i],
            f"pods of {f.version}: Readiness probe failed: HTTP probe failed with statuscode: 503",
        )


@introduces(AutoscalerCapped)
def _capped(f: AutoscalerCapped, sim: Simulator, i: int) -> None:
    set_config(sim, i, "autoscaler_max", str(f.max_replicas), "terraform")


@effect(AutoscalerCapped)
def _demand(
    f: AutoscalerCapped, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    j = sim.world.journeys.index(f.journey)
    m.rate_factor[j] *= 1.0 + (f.factor - 1.0) * x


@introduces(AutoscalerWrongMetric)
def _metric(f: AutoscalerWrongMetric, sim: Simulator, i: int) -> None:
    set_config(sim, i, "autoscaler_metric", f.metric, "config-push")
    set_config(sim, i, "autoscaler_target", f"{f.metric_target:g}", "config-push")


@effect(StaleDns)
def _dns(f: StaleDns, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w, st = sim.world, sim.state
    for e in np.flatnonzero(w.dst == i):
        if not st.reset_since("restart", int(w.src[e]), f.at):
            m.edge_fail[e] = 1.0 - (1.0 - m.edge_fail[e]) * (1.0 - f.stale_share * x)


@introduces(NodeFailure)
def _node(f: NodeFailure, sim: Simulator, i: int) -> None:
    c = int(sim.world.cluster[i])
    if c >= 0:
        lose_node(sim, c, f.eviction)
    else:
        half = int(np.ceil(sim.state.ready[i] / 2))
        take_down(sim, i, half, "node", backoff=False, delay=f.eviction, tag="node")
