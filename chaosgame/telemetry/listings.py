"""Listings: the dependency map with health, pods, events and recent changes.

Health comes from what monitoring shows (the component's own metrics, or its callers' view of
it when it has none), never from the scenario's faults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.capacity import pending_at
from chaosgame.engine.probes import held_out
from chaosgame.engine.rng import derive
from chaosgame.scenario import units
from chaosgame.telemetry import gaps
from chaosgame.telemetry.metrics import region_of
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

CHANGE_KINDS = ("deploy", "rollback", "flag", "config", "migration", "mitigation", "audit", "job")
WARNING_KINDS = (
    "oom",
    "liveness",
    "restart",
    "node",
    "breaker",
    "backoff",
    "probe",
    "evicted",
    "connections",
)
REASONS = {
    "deploy": "Deployed",
    "rollback": "RolledBack",
    "flag": "FlagChanged",
    "config": "ConfigChanged",
    "scale": "Scaled",
    "autoscale": "SuccessfulRescale",
    "oom": "OOMKilled",
    "liveness": "Unhealthy",
    "restart": "Killing",
    "node": "NodeLost",
    "breaker": "CircuitBreaker",
    "mitigation": "Mitigation",
    "audit": "OperatorCommand",
    "job": "JobRun",
    "notification": "Notification",
}


def clock(sim: Simulator, t: float) -> str:
    """Wall-clock ``HH:MM:SS`` of simulated second ``t``."""
    return units.clock(sim.scenario.clock_start, t)


def stamp(sim: Simulator, t: float) -> str:
    """ISO-8601 timestamp with milliseconds of simulated second ``t``."""
    return units.stamp(sim.scenario.clock_start, t)


def health(sim: Simulator, i: int, tick: int) -> str:
    """ok, degraded, failing or unknown, as dashboards would show it at ``tick``."""
    c = sim.history.comp
    if tick < 0:
        return "unknown"
    if c["replicas"][tick, i] <= 0 and sim.world.replicas[i] > 0:
        return "failing"
    if gaps.dark(sim, "metrics", tick, tick + 1)[0]:
        return "unknown"
    if gaps.has(sim, i, "metrics"):
        err = float(c["errors"][tick, i])
        util = float(c["utilisation"][tick, i])
    else:
        callers = np.flatnonzero(sim.world.dst == i)
        if not callers.size or not any(
            gaps.has(sim, int(sim.world.src[e]), "metrics") for e in callers
        ):
            return "unknown"
        rate = sim.history.edge["rate"][tick, callers].astype(np.float64)
        fail = sim.history.edge["fail"][tick, callers].astype(np.float64)
        err = float((rate * fail).sum() / max(rate.sum(), 1e-12))
        util = 0.0
    if err >= 0.05:
        return "failing"
    if err >= 0.005 or util >= 0.85:
        return "degraded"
    return "ok"


def service_map(sim: Simulator, tick: int) -> dict[str, Any]:
    """Components with health and load (and the team and region they belong to, as a service
    catalogue lists them), edges with call rate and failure as callers see it."""
    w, c, e = sim.world, sim.history.comp, sim.history.edge
    comps = []
    dark = tick < 0 or bool(gaps.dark(sim, "metrics", tick, tick + 1)[0])
    teams = [comp.team for comp in sim.scenario.components]
    for i, name in enumerate(w.names):
        seen = gaps.has(sim, i, "metrics") and not dark
        region = int(w.region[i])
        comps.append(
            {
                "name": name,
                "kind": w.kinds[i],
                "team": teams[i],
                "region": w.regions[region] if region >= 0 else None,
                "health": health(sim, i, tick),
                "rps": round(float(c["offered"][tick, i]), 1) if seen else None,
                "errors": round(float(c["errors"][tick, i]), 4) if seen else None,
                "replicas": int(c["replicas"][tick, i]) if tick >= 0 else 0,
                "instrumented": {s: gaps.has(sim, i, s) for s in ("metrics", "logs", "traces")},
            }
        )
    edges = []
    for x, d in enumerate(w.deps):
        seen = gaps.has(sim, int(w.src[x]), "metrics") and not dark
        edges.append(
            {
                "from": d.source,
                "to": d.to,
                "mode": d.mode,
                "rps": round(float(e["rate"][tick, x]), 1) if seen else None,
                "errors": round(float(e["fail"][tick, x]), 4) if seen else None,
                "breaker": ["closed", "open", "half-open"][int(e["breaker"][tick, x])]
                if seen
                else None,
            }
        )
    return {"components": comps, "edges": edges}


def _hex(seed: int, name: str, n: int) -> str:
    return f"{derive(seed, name):016x}"[:n]


def pod_names(sim: Simulator, i: int, version: str, count: int) -> list[str]:
    """Stable pod names for ``count`` replicas of component ``i`` on ``version``."""
    name = sim.world.names[i]
    rs = _hex(sim.seed, f"pods/{name}/{version}", 10)
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    out = []
    for p in range(count):
        h = derive(sim.seed, f"pods/{name}/{version}/{p}")
        suffix = "".join(alphabet[(h >> (5 * k)) % len(alphabet)] for k in range(5))
        out.append(f"{name}-{rs}-{suffix}")
    return out


def pods(sim: Simulator, tick: int, component: str | None) -> dict[str, Any]:
    """A ``kubectl get pods``-like listing at ``tick``."""
    w, c = sim.world, sim.history.comp
    rec = recorder(sim)
    rows = []
    now = (tick + 1) * sim.dt
    for i, name in enumerate(w.names):
        if component is not None and name != component:
            continue
        if w.kinds[i] in ("external",) or tick < 0:
            continue
        ready = int(round(float(c["replicas"][tick, i])))
        desired = int(round(float(c["desired"][tick, i])))
        restarts = int(c["restarts"][tick, i])
        mix = rec.mix(i, tick)
        on_new = int(round(mix.weight * ready)) if mix.new else 0
        crashed = any(
            ev.component == name and ev.kind in ("oom", "liveness") and now - ev.time < 600
            for ev in sim.events
            if ev.time <= now
        )
        versions = [(mix.stable, ready - on_new)] + ([(mix.new, on_new)] if mix.new else [])
        total = max(desired, ready)
        slot = 0
        for version, count in versions:
            for pod in pod_names(sim, i, version, count):
                rows.append(
                    _pod_row(pod, name, version, "Running", restarts, total, slot, sim, i, tick)
                )
                slot += 1
        unready = held_out(sim, tick, i)
        waiting, why = pending_at(sim, tick, i)
        for n, pod in enumerate(
            pod_names(sim, i, f"{mix.new or mix.stable}/pending", max(desired - ready, 0))
        ):
            status = "CrashLoopBackOff" if crashed else "ContainerCreating"
            if n < unready:
                status = "Running 0/1"
            elif n - unready < waiting:
                status = why.split(":", 1)[0] or "Pending"
            rows.append(
                _pod_row(
                    pod, name, mix.new or mix.stable, status, restarts, total, slot, sim, i, tick
                )
            )
            slot += 1
    return {"pods": rows}


def _pod_row(
    pod: str,
    comp: str,
    version: str,
    status: str,
    restarts: int,
    total: int,
    slot: int,
    sim: Simulator,
    i: int,
    tick: int,
) -> dict[str, Any]:
    share = restarts // max(total, 1) + (1 if slot < restarts % max(total, 1) else 0)
    c = sim.history.comp
    seen = gaps.has(sim, i, "metrics") and status.startswith("Running")
    return {
        "name": pod,
        "component": comp,
        "ready": "1/1" if status == "Running" else "0/1",
        "status": status.removesuffix(" 0/1"),
        "restarts": share,
        "version": version,
        "region": region_of(sim, i),
        "cpu": round(float(c["cpu"][tick, i]) * sim.world.cpu_limit[i], 3) if seen else None,
        "memory_mb": round(float(c["memory"][tick, i]), 1) if seen else None,
    }


def events(
    sim: Simulator, since: float, until: float, kinds: list[str] | None, component: str | None
) -> dict[str, Any]:
    """The event timeline between two times, newest last."""
    rows = []
    for ev in sim.events:
        if not since <= ev.time <= until:
            continue
        if kinds and ev.kind not in kinds:
            continue
        if component is not None and component not in ev.component.split(","):
            continue
        row: dict[str, Any] = {
            "time": ev.time,
            "clock": clock(sim, ev.time) if ev.time >= 0 else None,
            "type": "Warning" if ev.kind in WARNING_KINDS else "Normal",
            "reason": REASONS.get(ev.kind, ev.kind.title()),
            "kind": ev.kind,
            "component": ev.component,
            "message": ev.message,
            "actor": ev.actor,
        }
        if ev.details:
            row["details"] = dict(ev.details)
        rows.append(row)
    return {"events": rows}
