"""SLO impact of a run, read from its history: budget burned, recovery, collateral, curves.

Scoring and the debrief share these measurements. A *population* is one SLO over all traffic,
or over one tenant's share of it when the scenario has several tenants, so harm concentrated on
a small customer counts against that customer's own error budget instead of vanishing into the
fleet-wide average.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import slo as slo_mod
from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

RECOVERED_BURN = 1.0
"""A tick is healthy when every population burns its budget no faster than the SLO allows."""
HOLD_S = 300.0
"""A recovery counts only if it lasts at least this long before the end of the settled run."""


def slo_label(journey: str, sli: str) -> str:
    """The name of one SLO in scores and reports, e.g. ``checkout availability``."""
    return f"{journey} {sli}"


@dataclass(frozen=True)
class Population:
    """Bad and total events per tick for one SLO over all traffic or one tenant."""

    slo: str
    tenant: str | None
    target: float
    bad: F64
    total: F64
    budget: float

    @property
    def label(self) -> str:
        """``checkout availability`` or ``checkout availability (tenant business)``."""
        return self.slo if self.tenant is None else f"{self.slo} (tenant {self.tenant})"

    def burned(self, lo: int, hi: int) -> float:
        """Share of the SLO window's error budget burned in ticks ``[lo, hi)``."""
        if self.budget <= 0:
            return 0.0
        return float(self.bad[lo:hi].sum()) / self.budget

    def burn_rate(self) -> F64:
        """Burn rate of every tick (bad ratio over the allowed ratio)."""
        ratio = self.bad / np.maximum(self.total, 1e-12)
        out: F64 = ratio / (1.0 - self.target)
        return out


def populations(sim: Simulator) -> list[Population]:
    """Every SLO of the scenario, fleet-wide and (with several tenants) per tenant: the
    populations ``chaosgame check`` and the engine's grading judge too
    (:func:`chaosgame.engine.slo.population_series`)."""
    return [
        Population(
            slo_label(s.slo.journey, s.slo.sli), s.tenant, s.slo.target, s.bad, s.total, s.budget()
        )
        for s in slo_mod.population_series(sim)
    ]


def harm(pops: list[Population], lo: int, hi: int) -> dict[str, float]:
    """Budget burned per SLO in ``[lo, hi)``: the worst of its populations (fleet or a tenant)."""
    out: dict[str, float] = {}
    for p in pops:
        out[p.slo] = max(out.get(p.slo, 0.0), p.burned(lo, hi))
    return out


def worst_population(pops: list[Population], lo: int, hi: int) -> dict[str, str]:
    """For each SLO, the label of the population that burned the most in ``[lo, hi)``."""
    best: dict[str, tuple[float, str]] = {}
    for p in pops:
        value = p.burned(lo, hi)
        if p.slo not in best or value > best[p.slo][0] + 1e-12:
            best[p.slo] = (value, p.label)
    return {k: v[1] for k, v in best.items()}


def tenant_burns(pops: list[Population], lo: int, hi: int) -> dict[str, dict[str, float]]:
    """Budget burned in ``[lo, hi)`` per SLO and tenant, each against the tenant's own budget
    (no entry for an SLO of a scenario with a single tenant)."""
    out: dict[str, dict[str, float]] = {}
    for p in pops:
        if p.tenant is not None:
            out.setdefault(p.slo, {})[p.tenant] = p.burned(lo, hi)
    return out


def lowest_sli(pop: Population, lo: int, hi: int, step: int = 6) -> tuple[int, float] | None:
    """The first tick and the SLI of the worst stretch of ``step`` ticks in ``[lo, hi)``, or
    None when no event was counted."""
    worst: tuple[int, float] | None = None
    for start in range(lo, hi, step):
        stop = min(start + step, hi)
        total = float(pop.total[start:stop].sum())
        if total <= 0:
            continue
        value = 1.0 - float(pop.bad[start:stop].sum()) / total
        if worst is None or value < worst[1] - 1e-12:
            worst = (start, value)
    return worst


def extra_harm(
    pops: list[Population], baseline: list[Population], lo: int, hi: int
) -> dict[str, float]:
    """Budget burned per SLO on ticks where this run was worse than the baseline run.

    With doing nothing as the baseline, this is the harm the player's own actions caused:
    the two runs share seed and scenario, so any tick where the player's run has more bad
    events than the untouched one was made worse by something the player did.
    """
    out: dict[str, float] = {}
    for p, b in zip(pops, baseline, strict=True):
        if p.budget <= 0:
            continue
        more = np.maximum(p.bad[lo:hi] - b.bad[lo:hi], 0.0).sum() / p.budget
        out[p.slo] = max(out.get(p.slo, 0.0), float(more))
    return out


@dataclass(frozen=True)
class Recovery:
    """When a run came back under its SLOs and whether it stayed there."""

    held: bool
    at_tick: int | None
    """First tick from which every population stayed healthy to the end (None if never)."""
    bad_ticks_after_end: int
    """Unhealthy ticks in the settling period after the player stopped."""


def recovery(pops: list[Population], page: int, end: int, hi: int, dt: float) -> Recovery:
    """Whether and when the run recovered between the page (tick ``page``) and tick ``hi``.

    ``end`` is the tick at which the player stopped; ticks ``[end, hi)`` are the settling run.
    """
    if hi <= page:
        return Recovery(False, None, 0)
    unhealthy = np.zeros(hi - page, dtype=bool)
    for p in pops:
        unhealthy |= p.burn_rate()[page:hi] > RECOVERED_BURN
    bad = np.flatnonzero(unhealthy)
    at = page if bad.size == 0 else page + int(bad[-1]) + 1
    hold_ticks = int(round(HOLD_S / dt))
    held = at <= hi - hold_ticks
    after = int(unhealthy[max(end - page, 0) :].sum())
    return Recovery(held, at if held else None, after)


def curve(pops: list[Population], lo: int, hi: int, dt: float, step: int = 6) -> list[list[float]]:
    """The fleet-wide SLI of every SLO over ``[lo, hi)`` as ``[time, sli, ...]`` rows.

    One row per ``step`` ticks (a minute at 10-second ticks); the SLI is the good share of
    events in that stretch. Columns follow the order of the scenario's SLOs.
    """
    fleet = [p for p in pops if p.tenant is None]
    rows: list[list[float]] = []
    for start in range(lo, hi, step):
        stop = min(start + step, hi)
        row = [round(start * dt, 3)]
        for p in fleet:
            total = float(p.total[start:stop].sum())
            bad = float(p.bad[start:stop].sum())
            row.append(round(1.0 - bad / total, 6) if total > 0 else 1.0)
        rows.append(row)
    return rows
