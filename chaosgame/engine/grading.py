"""Grading by outcome: did the system recover and stay recovered, with its invariants intact?

A mitigation counts because of what it did to the simulated system, never because its name
matches the reference solution: an equivalent safe repair scores the same. Three judgements:

* **recovered / held**: every SLO's trailing five-minute SLI is within its objective (or no
  worse than a fault-free baseline, when one is given) at the player's end, and stays so while
  the world runs on for ``settle`` seconds;
* **invariants**: no writes were lost after ``since`` (the durability signal), no component that
  serves a journey is scaled to zero, and the traffic at journey fronts is not simply dropped
  by load shedding or rate limits;
* **symptom hiding**: applied mitigations that make symptoms disappear without repairing
  anything (silencing an alert, shedding all traffic, scaling to zero) never count as a fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import slo as slo_mod
from chaosgame.engine.data import data_problems
from chaosgame.scenario.actions import MitigationBase, Scale, ShedLoad
from chaosgame.scenario.mitigation_kinds import RateLimit

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

WINDOW = 300.0
"""Trailing window of the SLI judged at each tick."""
SLACK = 1.5
"""With a baseline, a run may be this many times as bad as the fault-free fleet."""
SHED_LIMIT = 0.5
"""Share of a journey front's traffic rejected by shedding or rate limits that counts as
dropping the traffic rather than protecting the system."""
LOST_EPSILON = 1e-6

SYMPTOM_HIDING: frozenset[str] = frozenset({"silence-alert"})
"""Actions that hide symptoms whatever their parameters. :func:`is_symptom_hiding` also
catches shedding (or rate-limiting) all traffic and scaling to zero."""


def is_symptom_hiding(spec: MitigationBase) -> bool:
    """Whether a mitigation spec hides symptoms instead of repairing anything."""
    if spec.action in SYMPTOM_HIDING:
        return True
    if isinstance(spec, ShedLoad):
        return spec.fraction >= 0.99
    if isinstance(spec, RateLimit):
        return spec.fraction >= 0.99 and spec.journey is None and spec.tenant is None
    return isinstance(spec, Scale) and spec.replicas == 0


@dataclass(frozen=True)
class Outcome:
    """The verdict on a run."""

    recovered: bool
    held: bool
    invariants_ok: bool
    symptom_hiding: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def fixed(self) -> bool:
        """Recovered, held, invariants intact, and not by hiding symptoms."""
        return self.recovered and self.held and self.invariants_ok and not self.symptom_hiding

    def as_dict(self) -> dict[str, Any]:
        return {
            "recovered": self.recovered,
            "held": self.held,
            "invariants_ok": self.invariants_ok,
            "symptom_hiding": list(self.symptom_hiding),
            "reasons": list(self.reasons),
            "fixed": self.fixed,
        }


def _trailing_bad(s: slo_mod.SloSeries) -> NDArray[np.float64]:
    ticks = max(1, int(round(WINDOW / s.dt)))
    kernel = np.ones(ticks)
    bad = np.convolve(s.bad, kernel)[: s.bad.size]
    total = np.convolve(s.total, kernel)[: s.total.size]
    out: NDArray[np.float64] = np.where(total > 0, bad / np.maximum(total, 1e-12), 0.0)
    return out


def healthy(sim: Simulator, baseline: Simulator | None = None) -> NDArray[np.bool_]:
    """Per tick, whether every SLO's trailing SLI is within its objective, fleet-wide and for
    every tenant (:func:`chaosgame.engine.slo.population_series`, the populations the score
    counts)."""
    ok = np.ones(sim.history.ticks, dtype=bool)
    base = slo_mod.population_series(baseline) if baseline is not None else None
    for n, s in enumerate(slo_mod.population_series(sim)):
        ratio = _trailing_bad(s)
        limit = np.full(ratio.size, 1.0 - s.slo.target)
        if base is not None:
            b = _trailing_bad(base[n])
            m = min(b.size, limit.size)
            limit[:m] = np.maximum(limit[:m], SLACK * b[:m] + 1e-4)
        ok &= ratio <= limit + 1e-12
    return ok


def _serving(sim: Simulator) -> set[int]:
    """Components on some journey's path."""
    w = sim.world
    out: set[int] = set()
    for front in set(int(f) for f in w.journey_front):
        out.add(front)
        out |= {w.index[name] for name in nx.descendants(w.graph, w.names[front])}
    return out


def _invariants(sim: Simulator, since: float) -> list[str]:
    w, h = sim.world, sim.history
    problems: list[str] = []
    lo = min(int(round(since / sim.dt)), h.ticks)
    if h.ticks > lo and float(h.journey["lost"][lo : h.ticks].max()) > LOST_EPSILON:
        problems.append("writes were lost (the durability signal dropped)")
    problems += data_problems(sim, since)
    last = h.ticks - 1
    if last >= 0:
        zero = [w.names[i] for i in sorted(_serving(sim)) if h.comp["desired"][last, i] <= 0]
        if zero:
            problems.append(f"scaled to zero while serving a journey: {', '.join(zero)}")
    m = sim.mods
    for j, front in enumerate(w.journey_front):
        mask = w.class_journey == j
        rejected = 1.0 - (1.0 - float(m.shed[front])) * (1.0 - float(m.block[mask, front].max()))
        if rejected >= SHED_LIMIT:
            problems.append(
                f"{rejected:.0%} of {w.journeys[j]} traffic is dropped at {w.names[front]}"
            )
    return problems


def evaluate(
    sim: Simulator,
    since: float,
    settle: float = 600.0,
    *,
    baseline: Simulator | None = None,
    hiding: Callable[[MitigationBase], bool] = is_symptom_hiding,
) -> Outcome:
    """Judge a run whose simulation went on ``settle`` seconds past the player's end.

    Args:
        sim: the simulation, already run to the player's end plus ``settle``.
        since: when the player's part began (the page); invariants count from there.
        settle: how long the world ran on after the player's end.
        baseline: the same scenario without its faults, to forgive a fleet that is never
            quite within its objectives.
        hiding: which applied mitigations hide symptoms.
    """
    ok = healthy(sim, baseline)
    reasons: list[str] = []
    end = ok.size
    player_end = max(int(round((sim.now - settle) / sim.dt)), 0)
    if end == 0 or player_end >= end:
        recovered = held = False
        reasons.append("the run has no history after the player's end")
    else:
        recovered = bool(ok[player_end])
        held = recovered and bool(ok[player_end:end].all())
        if not recovered:
            reasons.append("an SLO is still out of its objective at the end of play")
        elif not held:
            broke = player_end + int(np.argmin(ok[player_end:end]))
            reasons.append(
                f"the SLOs recovered but relapsed {(broke - player_end) * sim.dt:.0f}s later"
            )
    problems = _invariants(sim, since)
    reasons.extend(problems)
    hidden = tuple(
        f"{p.spec.action} {p.spec.target}" for p in sim.pending if p.done and hiding(p.spec)
    )
    if hidden:
        reasons.append("symptom-hiding actions never count as a fix: " + ", ".join(hidden))
    return Outcome(recovered, held, not problems, hidden, tuple(reasons))
