"""CPU profiles: where a component's CPU went over a window, as a sampling profiler sees it.

A profile is a view over the history, like every other signal. The CPU a component burned in
a tick is what its ``cpu`` series says (share of the limit x cores x ready replicas). The
engine records, per tick, the factor by which each fault multiplied the component's CPU per
request (:attr:`chaosgame.engine.versionlog.VersionLog.fault_cpu`); with a total factor
``F``, the share ``(F - 1) / F`` of the tick's CPU belongs to those faults (split between
several in proportion to ``factor - 1``) and shows as their own frame, named by the fault's
``frame`` field (an unsymbolised address when the author named none). The rest is the
ordinary cost of serving: a fixed share for the runtime, and one frame per endpoint in
proportion to the requests of each journey the component served.

The profiler samples at :data:`HZ` per busy core; the samples of a window are drawn from the
named stream ``profile/COMPONENT/LO/HI`` of the game's seed, so the same question gives the
same answer. Observability gaps apply: a component with ``telemetry.profiles: false`` (or an
external or observability component) has no profiler, and data older than the component's
retention is gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.rng import derive
from chaosgame.telemetry import gaps
from chaosgame.telemetry.errors import QueryError, suggest
from chaosgame.telemetry.listings import clock

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.query import Window

HZ = 100.0
"""Samples per second of busy CPU core."""
MAX_SAMPLES = 20_000
"""Most samples one profile keeps (the rate is lowered for long windows)."""
RUNTIME_SHARE = 0.06
"""Share of the ordinary serving cost spent in the runtime (scheduler, garbage collector)."""
NO_PROFILER = ("external", "metrics_store", "log_pipeline", "trace_collector", "pager")
RUNTIME = "runtime (scheduler, gc)"


def frame_name(sim: Simulator, number: int) -> str:
    """The frame fault ``number`` shows as: its authored ``frame``, else an address."""
    spec = sim.scenario.faults[number]
    named = getattr(spec, "frame", None)
    if named:
        return str(named)
    return f"0x{derive(sim.seed, f'profile/frame/{number}') & 0xFFFFFF:06x} (no symbols)"


def _route(journey: str) -> str:
    return f"handle /api/{journey}"


def cpu_seconds(sim: Simulator, i: int, lo: int, hi: int) -> np.ndarray:
    """CPU core-seconds component ``i`` burned in each tick of ``[lo, hi)`` (at its
    configured CPU limit: what decides the number of samples, not their shares)."""
    c = sim.history.comp
    cpu = c["cpu"][lo:hi, i].astype(np.float64)
    throttle = c["throttle"][lo:hi, i].astype(np.float64)
    demand = np.where(cpu >= 1.0, np.maximum(throttle, 1.0), cpu)
    used = np.minimum(demand, 1.0)  # a throttled container burns its limit, no more
    limit = sim.scenario.components[i].cpu_limit
    reps = c["replicas"][lo:hi, i].astype(np.float64)
    out: np.ndarray = used * limit * reps * sim.dt
    return out


def shares(sim: Simulator, i: int, lo: int, hi: int) -> dict[str, float]:
    """Expected CPU core-seconds per frame of component ``i`` over ticks ``[lo, hi)``."""
    w = sim.world
    secs = cpu_seconds(sim, i, lo, hi)
    out: dict[str, float] = {}
    log = sim.versionlog.fault_cpu
    offered = sim.history.cls["offered"][lo:hi, :, i].astype(np.float64)  # T, K
    per_journey = np.zeros((hi - lo, len(w.journeys)))
    for j in range(len(w.journeys)):
        per_journey[:, j] = offered[:, w.class_journey == j].sum(1)
    total = per_journey.sum(1)
    for n, t in enumerate(range(lo, hi)):
        s = float(secs[n])
        if s <= 0.0:
            continue
        own = {f: x for (f, c), x in log.get(t, {}).items() if c == i}
        factor = float(np.prod(list(own.values()))) if own else 1.0
        extra = s * (factor - 1.0) / factor if factor > 1.0 else 0.0
        if extra > 0.0:
            weights = {f: max(x - 1.0, 0.0) for f, x in own.items()}
            wsum = sum(weights.values()) or 1.0
            for f, wgt in weights.items():
                name = frame_name(sim, f)
                out[name] = out.get(name, 0.0) + extra * wgt / wsum
        base = s - extra
        out[RUNTIME] = out.get(RUNTIME, 0.0) + base * RUNTIME_SHARE
        serving = base * (1.0 - RUNTIME_SHARE)
        if total[n] > 0:
            for j, journey in enumerate(w.journeys):
                if per_journey[n, j] > 0:
                    name = _route(journey)
                    out[name] = out.get(name, 0.0) + serving * per_journey[n, j] / total[n]
        else:
            out["idle loop"] = out.get("idle loop", 0.0) + serving
    return out


def _stack(sim: Simulator, i: int, frame: str) -> str:
    comp = sim.scenario.components[i]
    root = f"{comp.name} (main)"
    if frame == RUNTIME:
        return f"{root};{frame}"
    if frame.startswith("handle /api/") or frame == "idle loop":
        return f"{root};serve;{frame}"
    return f"{root};serve;middleware;{frame}"


def profile(sim: Simulator, name: str | None, win: Window, text: str) -> dict[str, Any]:
    """The ``profile COMPONENT`` query: sampled CPU frames of one component over the window."""
    if not name:
        raise QueryError("usage: profile COMPONENT, e.g. profile checkout --since=15m", text, 0)
    if name not in sim.world.index:
        raise QueryError(suggest(name, sim.world.names, "component"), text, token=name)
    i = sim.world.index[name]
    comp = sim.scenario.components[i]
    lo, hi = win.start_tick, win.end_tick
    lo = max(lo, gaps.first_kept(sim, i, win.now))
    notes: list[str] = []
    base: dict[str, Any] = {
        "component": name,
        "from": clock(sim, lo * sim.dt),
        "to": clock(sim, max(hi - 1, 0) * sim.dt),
        "frames": [],
        "samples": 0,
    }
    if comp.kind in NO_PROFILER or not getattr(comp.telemetry, "profiles", True):
        notes.append(f"{name} runs no profiler: there is no CPU profile to read")
        return base | {"notes": notes}
    if hi <= lo:
        notes.append("no profile data in that window")
        return base | {"notes": notes}
    expected = shares(sim, i, lo, hi)
    seconds = sum(expected.values())
    if seconds <= 0.0:
        notes.append(f"{name} burned no CPU in that window (no replica ran)")
        return base | {"notes": notes}
    rate = min(HZ, MAX_SAMPLES / seconds)
    want = int(round(seconds * rate))
    names = sorted(expected)
    p = np.array([expected[n] for n in names]) / seconds
    rng = np.random.default_rng(derive(sim.seed, f"profile/{name}/{lo}/{hi}"))
    drawn = rng.multinomial(want, p) if want > 0 else np.zeros(len(names), np.int64)
    counted = sorted(
        ((int(k), n) for n, k in zip(names, drawn.tolist(), strict=True) if k > 0),
        key=lambda kn: (-kn[0], kn[1]),
    )
    rows = [
        {"frame": n, "samples": k, "share": f"{k / max(want, 1):.1%}", "stack": _stack(sim, i, n)}
        for k, n in counted
    ]
    return base | {
        "frames": rows[: win.limit],
        "samples": want,
        "hz": round(rate, 2),
        "notes": notes,
    }
