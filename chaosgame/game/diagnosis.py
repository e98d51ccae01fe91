"""Judging a declared diagnosis against the hidden truth: accuracy and calibration.

Part of the score (``chaosgame.game.scoring``); the rules are in ``docs/scoring.md``.
"""

from __future__ import annotations

from typing import Any

from chaosgame.scenario.model import Scenario

CREDIT = {"exact": 1.0, "component": 0.5, "symptom": 0.35, "wrong": 0.0, "none": 0.0}
"""Diagnosis accuracy: exact cause; right component, wrong kind; right kind on a component
of the causal chain; wrong."""
RANK_WEIGHT = (1.0, 0.5, 0.25)
"""Credit of the first, second and third hypothesis."""
ACCURACY_SHARE = 0.8
"""Share of the diagnosis part for accuracy; the rest rewards calibration (Brier score)."""
GUESS_SHARE = 0.5
"""What a guess keeps of the diagnosis part: a declaration made before looking at any
evidence for it (``chaosgame.game.trail``), right or not."""


def judge(scenario: Scenario, component: str | None, kind: str, seed: int | None = None) -> str:
    """How close one hypothesis is: exact, component, symptom or wrong.

    For a root cause that spans a fleet (a fault with ``select:``), any component the fault
    hits under ``seed`` (the scenario's by default), or the artefact they share, counts as
    the root cause's component."""
    rc = scenario.truth.root_cause
    if rc.kind == "no-fault":
        return "exact" if kind == "no-fault" else "wrong"
    external = rc.component is not None and scenario.component(rc.component).kind == "external"
    if kind == "external-dependency" and external and component in (None, rc.component):
        return "exact"
    if (
        component is not None
        and component != rc.component
        and on_root_fleet(scenario, component, seed)
    ):
        if kind == rc.kind:
            return "exact"
        return "component"
    if component == rc.component and kind == rc.kind:
        return "exact"
    if component is not None and component == rc.component:
        return "component"
    chain = {step.component for step in scenario.truth.causal_chain} - {rc.component}
    if kind == rc.kind and component in chain:
        return "symptom"
    return "wrong"


def on_root_fleet(scenario: Scenario, name: str, seed: int | None = None) -> bool:
    """Whether a declared component or artefact is one the fleet-wide root cause spans."""
    from chaosgame.engine.fleet import root_fleet
    from chaosgame.scenario.fleet import is_artefact, root_artefacts

    if is_artefact(name):
        return name in root_artefacts(scenario)
    return name in root_fleet(scenario, seed)


def brier(confidences: list[float], exact: list[bool]) -> float:
    """Multi-class Brier score of ranked hypotheses, from 0 (perfect) to 2 (sure and wrong).

    The classes are the hypotheses plus "something else", which gets the confidence left
    over (confidences adding up to more than 1 are scaled down to 1).
    """
    total = sum(confidences)
    probs = [c / total for c in confidences] if total > 1.0 else list(confidences)
    other = max(0.0, 1.0 - sum(probs))
    score = sum((p - (1.0 if e else 0.0)) ** 2 for p, e in zip(probs, exact, strict=True))
    score += (other - (0.0 if any(exact) else 1.0)) ** 2
    return score


def diagnosis(
    scenario: Scenario,
    declarations: list[dict[str, Any]],
    seed: int | None = None,
    informed: bool = True,
) -> dict[str, Any]:
    """Judge the player's last declaration: accuracy, calibration and the fraction earned
    (``seed``: the game's, which picks a fleet-wide fault's share of components). A guess
    (``informed`` false: declared without having looked at any evidence for it) keeps
    :data:`GUESS_SHARE` of the fraction."""
    if not declarations:
        return {
            "declared": False,
            "verdicts": [],
            "accuracy": 0.0,
            "calibration": 0.0,
            "informed": False,
            "fraction": 0.0,
        }
    hyps = declarations[-1]["hypotheses"]
    verdicts = [judge(scenario, h["component"], h["kind"], seed) for h in hyps]
    accuracy = max(CREDIT[v] * RANK_WEIGHT[i] for i, v in enumerate(verdicts))
    b = brier([float(h["confidence"]) for h in hyps], [v == "exact" for v in verdicts])
    calibration = 1.0 - b / 2.0
    fraction = ACCURACY_SHARE * accuracy + (1.0 - ACCURACY_SHARE) * calibration
    if not informed:
        fraction *= GUESS_SHARE
    return {
        "declared": True,
        "declared_at": declarations[-1]["time"],
        "verdicts": verdicts,
        "accuracy": round(accuracy, 6),
        "brier": round(b, 6),
        "calibration": round(calibration, 6),
        "informed": informed,
        "fraction": round(fraction, 6),
    }
