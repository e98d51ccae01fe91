"""Per-game telemetry state: the engine's version log, and caches kept between queries.

The engine records, every tick, which versions each component ran, the extra failure share on
the pods of a version being rolled out and the retries in force
(:class:`chaosgame.engine.versionlog.VersionLog`). Telemetry only reads that record; it never
runs fault effects or touches the simulation, so asking questions cannot change the outcome.
:func:`recorder` returns the one :class:`Recorder` of a simulator, which also holds the
derived data telemetry keeps between queries (value pools, alert timelines, search decisions).
Every such cache lives here, per game: nothing is cached process-wide.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosgame.engine.versionlog import VersionLog, VersionMix
from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

__all__ = ["Recorder", "VersionMix", "attach", "recorder"]


@dataclass
class Recorder:
    """A game's telemetry state: the engine's version log and per-game caches."""

    log: VersionLog
    cache: dict[str, Any] = field(default_factory=dict)
    """Derived data telemetry keeps between queries (value pools, alert timelines)."""

    @property
    def mixes(self) -> list[dict[int, VersionMix]]:
        """Per tick: components with a rollout in progress and their mix."""
        return self.log.mixes

    @property
    def base(self) -> dict[int, list[tuple[int, str]]]:
        """Per component: (first tick, stable version) each time the stable version changed."""
        return self.log.base

    @property
    def retries(self) -> list[tuple[int, F64]]:
        """(first tick, retry count per edge) each time the retries in force changed."""
        return self.log.retries

    def mix(self, i: int, tick: int) -> VersionMix:
        """The version mix of component ``i`` at ``tick``."""
        return self.log.mix(i, tick)

    def retries_at(self, tick: int) -> F64:
        """Retry counts per edge in force at ``tick``."""
        return self.log.retries_at(tick)


_RECORDERS: weakref.WeakKeyDictionary[Simulator, Recorder] = weakref.WeakKeyDictionary()


def recorder(sim: Simulator) -> Recorder:
    """The telemetry state of ``sim`` (created on first use; reading never changes ``sim``)."""
    rec = _RECORDERS.get(sim)
    if rec is None:
        rec = _RECORDERS[sim] = Recorder(sim.versionlog)
    return rec


attach = recorder
"""Kept for callers that attach telemetry explicitly; attaching is no longer needed."""
