"""Requests a quota refused, tick by tick: the engine's own record, for telemetry's 429s.

A quota (``Modifiers.quota``: a third party's rate limit) answers the excess over it at once
with "429 Too Many Requests". The tick counts those refusals among a component's failures; the
history keeps only the total failure share. The tick also notes here, sparsely (only ticks in
which a quota was in force), the share of each component's arriving requests it refused, so
that logs and traces can tell a refusal from a server error. Reading it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.world import F64, I64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

QUOTA_KINDS = ("third-party-rate-limit",)
"""Fault kinds that put a quota on their target."""


def limited(sim: Simulator) -> set[int]:
    """Components a quota may limit (the targets of quota faults): their refusals are 429s."""
    return {f.target for f in sim.faults if f.spec.kind in QUOTA_KINDS}


@dataclass
class Refusals:
    """Per tick with a quota in force: the share of arriving requests each component refused."""

    ticks: dict[int, F64] = field(default_factory=dict)

    def note(self, tick: int, refused: F64 | None) -> None:
        """Record tick ``tick``'s refused shares (``None``: no quota was in force)."""
        if refused is not None and refused.any():
            self.ticks[tick] = refused.copy()

    def window(self, lo: int, hi: int, comps: list[int] | I64) -> F64:
        """Refused shares ``[hi - lo, len(comps)]`` over ticks ``lo`` to ``hi``."""
        idx = np.asarray(comps, dtype=np.intp)
        out = np.zeros((max(hi - lo, 0), len(idx)))
        if self.ticks:
            for t, shares in self.ticks.items():
                if lo <= t < hi:
                    out[t - lo] = shares[idx]
        return out

    def at(self, tick: int, i: int) -> float:
        """The share of component ``i``'s requests a quota refused in ``tick``."""
        shares = self.ticks.get(tick)
        return 0.0 if shares is None else float(shares[i])
