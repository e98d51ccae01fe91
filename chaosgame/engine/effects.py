"""Effects of the catalogue's fault kinds (``chaosgame.scenario.fault_kinds``).

Each effect writes modifiers, or a kind *introduces* a change at its start (a deploy, a config
push) whose consequences the engine's general laws produce. A fault that a remedy ends checks
``state.reset_since(what, i, fault.at)``: a restart, a failover, a killed query, a drained
node, a reloaded secret... The tick never names a kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.config import set_config
from chaosgame.engine.control import lose_node, take_down
from chaosgame.engine.faults import effect, introduces
from chaosgame.engine.rng import derive
from chaosgame.engine.state import Modifiers, Rollout
from chaosgame.engine.world import F64

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


def start_rollout(f: Any, sim: Simulator, i: int, version: str | None = None) -> None:
    """Deploy ``version`` on component ``i`` unless the scenario's history already does."""
    version = version or f.version
    name = sim.world.names[i]
    if any(d.component == name and d.version == version for d in sim.scenario.deploys):
        return
    v = sim.state.versions[i]
    if v.stable == version or (v.rollout is not None and v.rollout.to == version):
        return
    strategy = getattr(f, "strategy", "rolling")
    weight = getattr(f, "weight", 1.0)
    duration = getattr(f, "duration", 300.0)
    v.rollout = Rollout(version, sim.now, duration, strategy, weight)
    how = f"{strategy} at {weight:.0%}" if strategy == "canary" else strategy
    sim.record("deploy", name, f"{version} ({how}) by deploy-bot", "deploy-bot")


def _share(sim: Simulator, i: int, version: str) -> float:
    return sim.state.versions[i].share(version, sim.now)


# ------------------------------------------------------------- change-induced

for _kind in (
    "bad-canary",
    "version-skew",
    "dependency-upgrade",
    "skipped-validation",
    "image-pull-failure",
    "readiness-never-passes",
):
    introduces(_kind)(start_rollout)


@effect("bad-canary")
def _bad_canary(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x, kmask)


@effect("version-skew")
def _skew(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    v = sim.state.versions[i]
    r = v.rollout
    if r is not None and r.to == f.version and r.hold is None and v.weight(sim.now) >= f.stall_at:
        r.hold, r.paused = f.stall_at, True
        sim.record("deploy", sim.world.names[i], "rollout stalled: progress deadline exceeded")
    w = _share(sim, i, f.version)
    m.add_err(i, f.error_rate * f.intensity * 2.0 * w * (1.0 - w), kmask)


@introduces("blue-green-cold-cache")
def _bg_intro(f: Any, sim: Simulator, i: int) -> None:
    start_rollout(f, sim, i)
    sim.state.hit[sim.world.index[f.cache]] = 0.0


@introduces("bad-config")
def _bad_config_intro(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, f.key, f.value, "config-push")


@effect("bad-config")
def _bad_config(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    if sim.state.config.get((i, f.key)) == f.value:
        m.add_err(i, f.error_rate * x, kmask)
        m.lat_add[i] += f.added_latency * x


@introduces("broken-flag")
def _flag_intro(f: Any, sim: Simulator, i: int) -> None:
    on, _ = sim.state.flags.get(f.flag, (False, 0.0))
    if not on and not any(ch.at > 0 for fl in sim.scenario.flags for ch in fl.changes):
        sim.state.flags[f.flag] = (True, f.percentage)
        sim.record("flag", sim.world.names[i], f"{f.flag} on at {f.percentage:g}% by flag-service")


@effect("broken-flag")
def _broken_flag(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x, kmask)


@effect("dependency-upgrade")
def _upgrade(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    e = _edge(sim, i, f.to)
    m.edge_fail[e] = 1.0 - (1.0 - m.edge_fail[e]) * (1.0 - f.error_rate * x)


# ------------------------------------------------------------- CI/CD


def tag_version(sim: Simulator, f: Any, i: int) -> str:
    """The version a mutable tag resolves to after the bad promotion (a digest, seeded)."""
    digest = f"{derive(sim.seed, f'mutable-tag/{i}/{f.at}'):016x}"[:12]
    return f"{f.tag}@sha256:{digest}"


@introduces("mutable-tag")
def _tag_intro(f: Any, sim: Simulator, i: int) -> None:
    start_rollout(f, sim, i, tag_version(sim, f, i))


@effect("mutable-tag")
def _tag(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x * _share(sim, i, tag_version(sim, f, i)), kmask)


@effect("skipped-validation")
def _skipped(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.wrong[:, i] = 1.0 - (1.0 - m.wrong[:, i]) * (1.0 - f.wrong_rate * x * kmask)


@introduces("config-drift")
def _drift(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"timeout:{f.to}", f"{f.timeout:g}", "config-sync")


# ------------------------------------------------------------- infrastructure as code


@introduces("iac-shrank-pool")
def _shrink(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"pool:{f.to}", str(f.pool), "terraform")


@introduces("iac-removed-rule")
def _rule(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, f"allow:{f.to}", "false", "terraform")


@introduces("iac-overwrote-hotfix")
def _hotfix_intro(f: Any, sim: Simulator, i: int) -> None:
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


@effect("iac-overwrote-hotfix")
def _hotfix(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.mem_add[i] += max(f.working_set_mb - sim.world.mem_base[i], 0.0) * x


# ------------------------------------------------------------- containers, orchestration


@effect("oom-working-set")
def _oom(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.mem_add[i] += f.extra_mb * x


@introduces("cpu-throttling")
def _cpu_intro(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, "cpu_limit", f"{f.cpu_limit:g}", "config-push")


@effect("image-pull-failure")
def _pull(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
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


@effect("cluster-full")
def _full(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    c = int(sim.world.cluster[i])
    if c >= 0:
        m.reserved[c] += f.reserved * x * sim.world.cluster_cpu[c]


@introduces("strict-liveness-probe")
def _probe(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, "liveness_timeout", f"{f.timeout:g}", "config-push")


@effect("readiness-never-passes")
def _ready(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
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


@introduces("autoscaler-capped")
def _capped(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, "autoscaler_max", str(f.max_replicas), "terraform")


@effect("autoscaler-capped")
def _demand(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    j = sim.world.journeys.index(f.journey)
    m.rate_factor[j] *= 1.0 + (f.factor - 1.0) * x


@introduces("autoscaler-wrong-metric")
def _metric(f: Any, sim: Simulator, i: int) -> None:
    set_config(sim, i, "autoscaler_metric", f.metric, "config-push")
    set_config(sim, i, "autoscaler_target", f"{f.metric_target:g}", "config-push")


@effect("stale-dns")
def _dns(f: Any, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    w, st = sim.world, sim.state
    for e in np.flatnonzero(w.dst == i):
        if not st.reset_since("restart", int(w.src[e]), f.at):
            m.edge_fail[e] = 1.0 - (1.0 - m.edge_fail[e]) * (1.0 - f.stale_share * x)


@introduces("node-failure")
def _node(f: Any, sim: Simulator, i: int) -> None:
    c = int(sim.world.cluster[i])
    if c >= 0:
        lose_node(sim, c, f.eviction)
    else:
        half = int(np.ceil(sim.state.ready[i] / 2))
        take_down(sim, i, half, "node", backoff=False, delay=f.eviction, tag="node")
