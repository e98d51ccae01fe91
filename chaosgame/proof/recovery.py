"""Is an SLI recovered? The judgement ``chaosgame check`` uses on a headless run.

A tick is *healthy* when, for every SLO over all traffic and over each tenant (the populations
the score counts), the share of bad events over the trailing five minutes is within the
objective (``1 - target``) or no worse than the same scenario without
its faults (a fleet that is always a little unhealthy is not the player's fault).
*Recovered* means healthy from some moment before the time limit up to it; *held* means still
healthy for ``settle`` seconds after it (so a fix that does not last is caught).

The decision is the engine's outcome grading (``chaosgame.engine.grading.evaluate``), the
one recovery judge that scoring uses too; :meth:`Judge.evaluate` adds the moment of recovery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import grading
from chaosgame.engine import slo as slo_mod
from chaosgame.engine.grading import evaluate
from chaosgame.engine.sim import Simulator
from chaosgame.game import harm, impact
from chaosgame.scenario.units import format_duration

SETTLE = 600.0
"""Seconds the world runs on after the time limit to see whether a fix holds."""


@dataclass(frozen=True)
class Verdict:
    """What a run's SLIs did after the page."""

    recovered: bool
    held: bool
    recovered_at: float | None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "recovered": self.recovered,
            "held": self.held,
            "recovered_at": self.recovered_at,
            "reasons": list(self.reasons),
        }


class Judge:
    """Decides recovery against the fault-free baseline of the same scenario and seed."""

    def __init__(self, baseline: Simulator, settle: float = SETTLE) -> None:
        self.baseline = baseline
        self.settle = settle

    def healthy(self, sim: Simulator) -> tuple[NDArray[np.bool_], list[str]]:
        """Per tick, whether every population (each SLO fleet-wide and per tenant, as the
        score counts them) is healthy; and the populations' names, for messages. The engine's
        grading decides (:func:`chaosgame.engine.grading.healthy`): one computation."""
        names = [
            f"{s.slo.journey} {s.slo.sli}" + (f" (tenant {s.tenant})" if s.tenant else "")
            for s in slo_mod.population_series(sim)
        ]
        return grading.healthy(sim, self.baseline), names

    def evaluate(self, sim: Simulator, since: float, deadline: float) -> Verdict:
        """Recovered by ``deadline`` (looking from ``since``) and held ``settle`` after it.

        The simulation must have run to ``deadline + settle``. The engine's outcome grading
        (:func:`chaosgame.engine.grading.evaluate`, which also checks invariants and symptom
        hiding) is the one judge; the SLI streak here only dates the moment of recovery.
        """
        own = self._evaluate(sim, since, deadline)
        outcome = evaluate(
            sim, since, self.settle, baseline=self.baseline, hiding=harm.hiding(sim.scenario)
        )
        fixed = outcome.held and outcome.invariants_ok and not outcome.symptom_hiding
        return Verdict(
            outcome.recovered,
            fixed,
            own.recovered_at if outcome.recovered else None,
            list(outcome.reasons),
        )

    def _evaluate(self, sim: Simulator, since: float, deadline: float) -> Verdict:
        ok, _names = self.healthy(sim)
        dt = sim.dt
        lo = int(round(since / dt))
        dl = min(int(round(deadline / dt)), ok.size - 1)
        end = min(int(round((deadline + self.settle) / dt)), ok.size)
        if dl < lo or dl < 0:
            return Verdict(False, False, None, ["the run ended before the time limit"])
        if not ok[dl]:
            bad_for = _streak_start(~ok, dl)
            return Verdict(
                False,
                False,
                None,
                [
                    "an SLI is still out of its objective at the time limit "
                    f"(unhealthy since {format_duration(max(bad_for, lo) * dt)})"
                ],
            )
        start = max(_streak_start(ok, dl), lo)
        after = ok[dl:end]
        if after.all():
            return Verdict(True, True, start * dt, [])
        broke = dl + int(np.argmin(after))
        return Verdict(
            True,
            False,
            start * dt,
            [
                "the SLIs recovered but relapsed "
                f"{format_duration((broke - dl) * dt)} after the time limit"
            ],
        )


def _streak_start(mask: NDArray[np.bool_], at: int) -> int:
    """First index of the run of True values in ``mask`` that ends at ``at``."""
    i = at
    while i > 0 and mask[i - 1]:
        i -= 1
    return i


def healthy_mask(sim: Simulator, judge: Judge, lo: float, hi: float) -> NDArray[np.bool_]:
    """Per-tick health between two times."""
    ok, _ = judge.healthy(sim)
    a, b = int(round(lo / sim.dt)), int(round(hi / sim.dt))
    out: NDArray[np.bool_] = ok[a:b]
    return out


def burned(sim: Simulator, lo: float, hi: float) -> float:
    """Share of error budget burned over ``[lo, hi)``, summed over the SLOs, each SLO's the
    worst of its populations: the score's measure (:func:`chaosgame.game.impact.harm`)."""
    a, b = int(round(lo / sim.dt)), min(int(round(hi / sim.dt)), sim.history.ticks)
    return sum(impact.harm(impact.populations(sim), a, b).values())


def objective_mask(sim: Simulator, lo: float, hi: float) -> NDArray[np.bool_]:
    """Per tick between two times, whether every population's trailing SLI meets its
    objective."""
    a, b = int(round(lo / sim.dt)), min(int(round(hi / sim.dt)), sim.history.ticks)
    ok: NDArray[np.bool_] = grading.healthy(sim)[a:b]
    return ok
