"""Which signals a root cause leaves that the player can query, given observability gaps.

A signal is a difference between the faulty run and the fault-free baseline (same scenario,
same seed: the traffic noise is identical, so any difference is the fault's doing) that shows
in something the player can look at:

* the component's own metrics, when it has metrics (percentiles not when the dashboard only
  shows averages);
* its error logs, when it logs (and keeps some of its lines);
* platform events about it (restarts, OOM kills, autoscaling) and changes made to it
  (deploys, config changes, flags it evaluates), which the change history always shows;
* spans or error logs of an instrumented caller whose calls to it fail or slow down.

Ticks during which a signal's pipeline is dark (the metrics store, log pipeline or trace
collector down: ``chaosgame.telemetry.gaps``) do not count for that signal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import format_duration

FLOORS: dict[str, float] = {
    "offered": 1.0,
    "served": 1.0,
    "errors": 0.01,
    "latency": 0.005,
    "utilisation": 0.05,
    "cpu": 0.05,
    "throttle": 0.05,
    "memory": 16.0,
    "replicas": 0.5,
    "desired": 0.5,
    "connections": 2.0,
    "backlog": 1.0,
    "consumer_lag": 1.0,
    "replication_lag": 1.0,
    "disk": 0.5,
    "cache_hit": 0.02,
    "restarts": 0.5,
}
"""Smallest difference of each series that a person would notice on a chart."""
RELATIVE = 0.25
"""...and it must also be this share of the series' usual level."""
SMOOTH = 3
"""Ticks averaged before comparing (a one-tick blip is not a signal)."""
RECENT = 7200.0
"""A change counts as a signal if made at most this long before the onset."""


def _smooth(x: NDArray[np.float64]) -> NDArray[np.float64]:
    if x.size < SMOOTH:
        return x
    out: NDArray[np.float64] = np.convolve(x, np.ones(SMOOTH) / SMOOTH, mode="valid")
    return out


def _deviates(
    name: str, f: NDArray[np.float64], b: NDArray[np.float64], seen: NDArray[np.bool_]
) -> bool:
    f, b = f[seen], b[seen]
    if f.size == 0:
        return False
    fs, bs = _smooth(f), _smooth(b)
    diff = float(np.max(np.abs(fs - bs)))
    floor = FLOORS.get(name, 0.0)
    return diff >= floor and diff >= RELATIVE * max(float(np.mean(np.abs(bs))), floor)


def _span(sim: Simulator, lo: float, hi: float) -> tuple[int, int]:
    return int(round(lo / sim.dt)), min(int(round(hi / sim.dt)), sim.history.ticks)


def find_signals(
    sc: Scenario, sim: Simulator, base: Simulator, component: str, lo: float, hi: float
) -> list[str]:
    """Plain-language signals of ``component`` between ``lo`` and ``hi`` (empty: hidden)."""
    if component not in sim.world.index:
        return []
    i = sim.world.index[component]
    comp = sc.component(component)
    tel = comp.telemetry
    a, b = _span(sim, lo, hi)
    out: list[str] = []

    def changed(signal: str) -> list[str]:
        seen = _visible(sim, signal, a, b)
        return [
            name
            for name in FLOORS
            if _deviates(
                name,
                sim.history.comp[name][a:b, i].astype(np.float64),
                base.history.comp[name][a:b, i].astype(np.float64),
                seen,
            )
        ]

    metrics = changed("metrics") if tel.metrics else []
    if metrics:
        out.append(f"{component} metrics change: {', '.join(metrics)}")
    if tel.logs and tel.log_sampling > 0 and "errors" in changed("logs"):
        out.append(f"{component} logs errors")
    out.extend(_events(sim, base, component, lo - RECENT, hi))
    out.extend(_callers(sc, sim, base, component, a, b))
    return out


def _visible(sim: Simulator, signal: str, a: int, b: int) -> NDArray[np.bool_]:
    """Ticks ``[a, b)`` whose ``signal`` data reached the player (its pipeline was up)."""
    from chaosgame.telemetry.gaps import dark

    seen: NDArray[np.bool_] = ~dark(sim, signal, a, b)
    return seen


def _events(sim: Simulator, base: Simulator, component: str, lo: float, hi: float) -> list[str]:
    out = []
    seen = {(e.time, e.kind, e.message) for e in base.events}
    for e in sim.events:
        if not lo <= e.time <= hi or component not in e.component.split(","):
            continue
        if e.kind in ("deploy", "config", "flag"):
            when = format_duration(abs(e.time)) + (" before the start" if e.time < 0 else "")
            out.append(f"{e.kind} event on {component} at {when}")
        elif (e.time, e.kind, e.message) not in seen and e.actor != "player":
            out.append(f"{e.kind} event on {component}: {e.message}")
    return sorted(set(out))


def _callers(
    sc: Scenario, sim: Simulator, base: Simulator, component: str, a: int, b: int
) -> list[str]:
    out = []
    for ei, dep in enumerate(sim.world.deps):
        if dep.to != component or dep.source not in sim.world.index:
            continue
        caller = sc.component(dep.source).telemetry if _known(sc, dep.source) else None
        if caller is None:
            continue
        for signal in ("traces", "logs"):
            seen = _visible(sim, signal, a, b)
            moved = [
                name
                for name, floor in (("fail", 0.01), ("call_time", 0.005))
                if _deviates_edge(sim, base, name, ei, a, b, floor, seen)
            ]
            if signal == "traces" and moved and caller.traces and caller.trace_sampling > 0:
                out.append(f"{dep.source}'s spans to {component} show {' and '.join(moved)}")
                break
            if signal == "logs" and "fail" in moved and caller.logs and caller.log_sampling > 0:
                out.append(f"{dep.source} logs failed calls to {component}")
    return out


def _known(sc: Scenario, name: str) -> bool:
    return any(c.name == name for c in sc.components)


def _deviates_edge(
    sim: Simulator,
    base: Simulator,
    name: str,
    ei: int,
    a: int,
    b: int,
    floor: float,
    seen: NDArray[np.bool_],
) -> bool:
    f = sim.history.edge[name][a:b, ei].astype(np.float64)[seen]
    g = base.history.edge[name][a:b, ei].astype(np.float64)[seen]
    if f.size == 0:
        return False
    diff = float(np.max(np.abs(_smooth(f) - _smooth(g))))
    return diff >= floor and diff >= RELATIVE * max(float(np.mean(np.abs(_smooth(g)))), floor)
