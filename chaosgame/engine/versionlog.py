"""What each component ran, tick by tick: the engine's own record of versions and retries.

The history keeps one number per component per tick. Telemetry also needs, per tick, which
versions each component was running and in what share (the ``version`` label, pod listings),
the extra failure share on the pods of a version being rolled out, and the retry counts in
force on each edge. The engine records these itself at the end of every tick, from the same
modifiers the tick used, so reading them can never change the simulation.

The failure share of a version is measured while the faults write their effects
(:func:`note_version_error`): the part of a component's failure share that faults bound to a
version added, scaled back to that version's full share of traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


@dataclass(frozen=True)
class VersionMix:
    """What one component ran during one tick."""

    stable: str
    new: str | None  # the version being rolled out, if any
    weight: float  # share of traffic on ``new``
    excess: float  # extra failure share on ``new``'s pods compared with ``stable``'s (< 0:
    # the stable version's pods fail more, as when a fault is bound to the old version)


@dataclass
class VersionLog:
    """Sparse per-tick record: only components with a rollout in progress get a row entry."""

    mixes: list[dict[int, VersionMix]] = field(default_factory=list)
    """Per tick: components whose mix differs from ``base`` (a rollout in progress)."""
    base: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Per component: (first tick, stable version) each time the stable version changed."""
    retries: list[tuple[int, F64]] = field(default_factory=list)
    """(first tick, retry count per edge) each time the retries in force changed."""
    version_err: dict[tuple[int, str], F64] = field(default_factory=dict)
    """This tick's failure share per class that faults bound to (component, version) add at
    that version's full share of traffic; reset at the start of every tick."""
    fault_cpu: dict[int, dict[tuple[int, int], float]] = field(default_factory=dict)
    """Per tick (only ticks where one did): (fault number, component) -> factor, for each fault
    that multiplied a component's CPU per request (what a CPU profile shows as its frame)."""

    def mix(self, i: int, tick: int) -> VersionMix:
        """The version mix of component ``i`` at ``tick``."""
        if 0 <= tick < len(self.mixes) and i in self.mixes[tick]:
            return self.mixes[tick][i]
        stable = "v1"
        for start, version in self.base.get(i, []):
            if start <= tick:
                stable = version
        return VersionMix(stable, None, 0.0, 0.0)

    def retries_at(self, tick: int) -> F64:
        """Retry counts per edge in force at ``tick``."""
        out = self.retries[0][1]
        for start, values in self.retries:
            if start <= tick:
                out = values
        return out

    def start(self, sim: Simulator) -> None:
        """Record the state before the first tick."""
        for i, v in sim.state.versions.items():
            self.base[i] = [(0, v.stable)]
        self.retries.append((0, sim.mods.edge_retries.copy()))

    def record(self, sim: Simulator) -> None:
        """Record the tick just computed (its history row is ``len(self.mixes)``)."""
        tick = len(self.mixes)
        now = sim.now
        row: dict[int, VersionMix] = {}
        base = self.base
        moving = [
            (i, v)
            for i, v in sim.state.versions.items()
            if v.rollout is not None or i not in base or base[i][-1][1] != v.stable
        ]
        for i, v in moving:
            hist = base.setdefault(i, [(0, v.stable)])
            if hist[-1][1] != v.stable:
                hist.append((tick, v.stable))
            r = v.rollout
            if r is not None:
                weight = v.weight(now)
                excess = 0.0
                if weight > 0.0:
                    err = self.version_err.get((i, r.to))
                    excess = float(err.mean()) if err is not None else 0.0
                    old = self.version_err.get((i, v.stable))
                    if old is not None:  # a fault bound to the old version (a mixed fleet)
                        excess = _served_mean(sim, i, err) - _served_mean(sim, i, old)
                row[i] = VersionMix(v.stable, r.to, weight, excess)
        self.mixes.append(row)
        if not np.array_equal(self.retries[-1][1], sim.mods.edge_retries):
            self.retries.append((tick, sim.mods.edge_retries.copy()))
        self.version_err.clear()


def _served_mean(sim: Simulator, i: int, err: F64 | None) -> float:
    """A failure share per class averaged over the classes component ``i`` served this tick."""
    if err is None:
        return 0.0
    served = sim.served[:, i]
    total = float(served.sum())
    return float((err * served).sum() / total) if total > 0 else float(err.mean())


def note_version_error(
    log: VersionLog, i: int, version: str, before: F64, after: F64, share: float
) -> None:
    """Fold the failure share one version-bound fault added to component ``i`` this tick.

    ``before`` and ``after`` are the component's failure share per class around the fault's
    effect; ``share`` is the part of the traffic the fault's condition held for. Failure
    shares combine as independent chances (``1 - (1 - a)(1 - b)``), so the fault's own share
    at full traffic is the added share over what was left, divided by ``share``.
    """
    if share <= 0.0:
        return
    left = np.maximum(1.0 - before, 1e-12)
    own = np.clip((after - before) / left / share, 0.0, 1.0)
    acc = log.version_err.get((i, version))
    log.version_err[(i, version)] = own if acc is None else 1.0 - (1.0 - acc) * (1.0 - own)


def note_fault_cpu(
    log: VersionLog, tick: int, fault: int, i: int, before: float, after: float
) -> None:
    """Record that fault number ``fault`` multiplied component ``i``'s CPU per request from
    ``before`` to ``after`` at ``tick`` (nothing when it did not change it)."""
    if after != before and before > 0.0:
        log.fault_cpu.setdefault(tick, {})[(fault, i)] = after / before
