"""Per-tick extras the history does not keep, recorded by a simulator observer.

The engine's history holds one number per component per tick. Telemetry also needs, per tick,
which versions each component was running and in what share (for the ``version`` label and
for pod listings), the extra error rate seen on the pods of a version being rolled out, and
the retry counts in force on each edge. :func:`attach` registers the observer; the session
calls it right after creating the simulator. Attaching late backfills earlier ticks with the
state at the time of attachment.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.faults import EFFECTS
from chaosgame.engine.state import Modifiers

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


@dataclass(frozen=True)
class VersionMix:
    """What one component ran during one tick."""

    stable: str
    new: str | None  # the version being rolled out, if any
    weight: float  # share of traffic on ``new``
    excess: float  # extra failure share on ``new``'s pods compared with ``stable``'s


@dataclass
class Recorder:
    """Everything telemetry records tick by tick (sparse: only what changes)."""

    mixes: list[dict[int, VersionMix]] = field(default_factory=list)
    """Per tick: components whose mix differs from ``base`` (a rollout in progress)."""
    base: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Per component: (first tick, stable version) each time the stable version changed."""
    retries: list[tuple[int, np.ndarray]] = field(default_factory=list)
    """(first tick, retry count per edge) each time the retries in force changed."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Derived data telemetry keeps between queries (value pools, alert timelines)."""

    def mix(self, i: int, tick: int) -> VersionMix:
        """The version mix of component ``i`` at ``tick``."""
        if 0 <= tick < len(self.mixes) and i in self.mixes[tick]:
            return self.mixes[tick][i]
        stable = "v1"
        for start, version in self.base.get(i, []):
            if start <= tick:
                stable = version
        return VersionMix(stable, None, 0.0, 0.0)

    def retries_at(self, tick: int) -> np.ndarray:
        """Retry counts per edge in force at ``tick``."""
        out = self.retries[0][1]
        for start, values in self.retries:
            if start <= tick:
                out = values
        return out


_RECORDERS: weakref.WeakKeyDictionary[Simulator, Recorder] = weakref.WeakKeyDictionary()


def attach(sim: Simulator) -> Recorder:
    """Start recording for ``sim`` (idempotent); returns its recorder."""
    rec = _RECORDERS.get(sim)
    if rec is not None:
        return rec
    rec = Recorder()
    _RECORDERS[sim] = rec
    for i, v in sim.state.versions.items():
        rec.base[i] = [(0, v.stable)]
    rec.retries.append((0, sim.mods.edge_retries.copy()))
    for _ in range(sim.history.ticks):
        rec.mixes.append({})
    sim.observers.append(lambda s: _observe(s, rec))
    return rec


def recorder(sim: Simulator) -> Recorder:
    """The recorder of ``sim``, attaching one if needed."""
    return attach(sim)


def _observe(sim: Simulator, rec: Recorder) -> None:
    tick = sim.history.ticks - 1
    while len(rec.mixes) < tick:
        rec.mixes.append({})
    now = sim.now
    row: dict[int, VersionMix] = {}
    for i, v in sim.state.versions.items():
        hist = rec.base.setdefault(i, [(0, v.stable)])
        if hist[-1][1] != v.stable:
            hist.append((tick, v.stable))
        r = v.rollout
        if r is not None:
            weight = v.weight(now)
            row[i] = VersionMix(v.stable, r.to, weight, _excess(sim, i, r.to, weight))
    rec.mixes.append(row)
    if not np.array_equal(rec.retries[-1][1], sim.mods.edge_retries):
        rec.retries.append((tick, sim.mods.edge_retries.copy()))


def _excess(sim: Simulator, i: int, version: str, weight: float) -> float:
    """Failure share on the pods of ``version`` beyond the component's other pods.

    The engine folds a version's behaviour into the component's totals, weighted by its share
    of traffic; this replays the effects bound to that version on a scratch set of modifiers
    at full share, so the ``version`` label can split real errors honestly.
    """
    if weight <= 0.0:
        return 0.0
    scratch: Modifiers | None = None
    for fault in sim.faults:
        f = fault.spec
        bound = f.when.version if f.when and f.when.version else getattr(f, "version", None)
        if fault.target != i or bound != version:
            continue
        shape = fault.onset(sim, sim.now)
        fn = EFFECTS.get(f.kind)
        if shape <= 0 or fn is None:
            continue
        if scratch is None:
            scratch = Modifiers.neutral(sim.world)
        fn(f, sim, scratch, i, f.intensity * shape, fault.kmask)
    if scratch is None:
        return 0.0
    return float(scratch.err[:, i].mean())
