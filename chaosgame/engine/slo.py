"""SLO accounting: good and bad events per journey per tick, error budget, burn rates.

Events before the simulated window are taken as good, at the rate the window starts with
(the fleet was healthy before the story begins), so long windows such as 6 h are defined from
the first tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import data
from chaosgame.engine import physics as ph
from chaosgame.engine.world import F64
from chaosgame.scenario.model import SLO

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

PAGE_RULES = ((3600.0, 300.0, 14.4), (21600.0, 1800.0, 6.0))
"""Multi-window burn-rate pages (long window, short window, threshold), SRE workbook."""
TICKET_RULE = (259200.0, 21600.0, 1.0)


@dataclass(frozen=True)
class SloSeries:
    """Per-tick events of one SLO (summed over tenants unless a tenant was asked for)."""

    slo: SLO
    total: F64
    bad: F64
    dt: float
    tenant: str | None = None
    """The tenant counted (None: every tenant)."""

    def window(self, end_tick: int, seconds: float) -> tuple[float, float]:
        """(bad, total) over the ``seconds`` before ``end_tick`` (exclusive)."""
        ticks = int(round(seconds / self.dt))
        lo = end_tick - ticks
        bad = float(self.bad[max(lo, 0) : end_tick].sum())
        total = float(self.total[max(lo, 0) : end_tick].sum())
        if lo < 0 and self.total.size:
            total += -lo * float(self.total[0])
        return bad, total

    def burn(self, end_tick: int, seconds: float) -> float:
        """Burn rate over the window ending at ``end_tick``."""
        bad, total = self.window(end_tick, seconds)
        return ph.burn_rate(bad, total, self.slo.target)

    def budget(self) -> float:
        """Bad events the SLO window allows at the starting rate: ``(1 - target) x events``."""
        rate = float(self.total[0]) / self.dt if self.total.size else 0.0
        return (1.0 - self.slo.target) * rate * self.slo.window

    def consumed(self, start_tick: int, end_tick: int) -> float:
        """Share of the window's error budget burned between two ticks."""
        budget = self.budget()
        if budget <= 0:
            return 0.0
        return float(self.bad[start_tick:end_tick].sum()) / budget

    def good_ratio(self, start_tick: int, end_tick: int) -> float:
        """SLI between two ticks (1.0 when there was no traffic)."""
        total = float(self.total[start_tick:end_tick].sum())
        if total <= 0:
            return 1.0
        return 1.0 - float(self.bad[start_tick:end_tick].sum()) / total

    def paging(self, end_tick: int) -> bool:
        """Whether a multi-window multi-burn-rate page fires at ``end_tick``."""
        return any(
            self.burn(end_tick, long) > thr and self.burn(end_tick, short) > thr
            for long, short, thr in PAGE_RULES
        )


def bad_share(sim: Simulator, slo: SLO) -> F64:
    """Share of bad events per tick and class ``[ticks, K]`` for one SLO."""
    h = sim.history
    t = h.ticks
    j = h.journey
    err = j["errors"][:t].astype(np.float64)
    if slo.sli == "availability":
        return err
    if slo.sli == "latency":
        assert slo.threshold is not None
        slow = ph.timeout_probability(
            np.array(slo.threshold),
            j["latency"][:t].astype(np.float64),
            j["floor"][:t].astype(np.float64),
        )
        return ph.combine(err, slow)
    if slo.sli == "durability":
        return j["lost"][:t].astype(np.float64)
    # a wrong answer needs an answer: refused, shed and failed requests are unavailability
    out: F64 = (1.0 - err) * j["wrong"][:t].astype(np.float64)
    return out


def series(sim: Simulator, slo: SLO, tenant: str | None = None) -> SloSeries:
    """Events of ``slo`` per tick, for every tenant or for one."""
    w = sim.world
    ji = w.journeys.index(slo.journey)
    mask = w.class_journey == ji
    if tenant is not None:
        mask &= w.class_tenant == w.tenants.index(tenant)
    h = sim.history
    total = h.journey["rate"][: h.ticks].astype(np.float64) * sim.dt
    bad = total * bad_share(sim, slo)
    if slo.sli == "durability":
        lost = data.lost_by_class(sim)  # writes lost, counted as writes (a data: block)
        if lost is not None:
            bad = bad + lost
    return SloSeries(slo, total[:, mask].sum(1), bad[:, mask].sum(1), sim.dt, tenant)


def all_series(sim: Simulator) -> list[SloSeries]:
    """One series per SLO of the scenario."""
    return [series(sim, slo) for slo in sim.scenario.slos]


def population_series(sim: Simulator) -> list[SloSeries]:
    """The *populations* every judgement of harm and recovery counts (the score, the debrief,
    ``chaosgame check`` and the engine's outcome grading): each SLO over all traffic and, when
    the scenario has several tenants, over each tenant against its own budget, SLO by SLO."""
    tenants: list[str | None] = [None]
    if len(sim.scenario.tenants) > 1:
        tenants += [t.name for t in sim.scenario.tenants]
    return [series(sim, slo, tenant) for slo in sim.scenario.slos for tenant in tenants]
