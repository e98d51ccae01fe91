"""The skill ladder the score must show, over every curated scenario.

The reference solution scores at least 85, doing nothing at most 20, a shotgun player who
applies every mitigation in the catalogue at least 30 below the reference, and a player who
mitigates correctly but names the wrong cause clearly below one who gets both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chaosgame.game.players import reference_actions, shotgun_actions
from chaosgame.game.scoring import Score, assess, baselines, play
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario

PATHS = scenario_paths()


def _score(sc: Scenario, actions: list[dict[str, Any]]) -> Score:
    session, errors = play(sc, actions)
    return assess(session).score


def wrong_declaration(sc: Scenario) -> dict[str, Any]:
    """A confident declaration that misses: another kind on a component off the causal chain."""
    rc = sc.truth.root_cause
    chain = {step.component for step in sc.truth.causal_chain} | {rc.component}
    component = next(c.name for c in sc.components if c.name not in chain)
    kind = next(k for k in FAULT_KINDS if k != rc.kind)
    return {"type": "declare", "component": component, "kind": kind, "confidence": 1.0}


@pytest.fixture(scope="module", params=PATHS, ids=[p.stem for p in PATHS])
def ladder(request: pytest.FixtureRequest) -> dict[str, Score]:
    path: Path = request.param
    sc = load_scenario(path)
    ref = reference_actions(sc)
    # the reference's fix as it plays it (with the waits of a staged one), without its diagnosis
    fix_only = [a for a in ref if a["type"] not in ("declare", "end")]
    # the comparison runs are the reference player and the idle player: score them as players
    base = baselines(sc)
    return {
        "reference": assess(base.reference).score,
        "idle": assess(base.nothing).score,
        "shotgun": _score(sc, shotgun_actions(sc)),
        "wrong_cause": _score(sc, [*fix_only, wrong_declaration(sc), {"type": "end"}]),
    }


def test_there_are_curated_scenarios() -> None:
    assert PATHS


def test_reference_solution_scores_at_least_85(ladder: dict[str, Score]) -> None:
    assert ladder["reference"].total >= 85, ladder["reference"]


def test_doing_nothing_scores_at_most_20(ladder: dict[str, Score]) -> None:
    assert ladder["idle"].total <= 20, ladder["idle"]


def test_shotgun_scores_at_least_30_below_the_reference(ladder: dict[str, Score]) -> None:
    assert ladder["shotgun"].total <= ladder["reference"].total - 30, ladder["shotgun"]


def test_wrong_cause_scores_clearly_below_right_cause(ladder: dict[str, Score]) -> None:
    assert ladder["wrong_cause"].total <= ladder["reference"].total - 15
    assert ladder["wrong_cause"].part("diagnosis").points < 5
    # the mitigation itself was as good as the reference's
    slo = [ladder[k].part("slo").data["fraction"] for k in ("wrong_cause", "reference")]
    assert slo[0] == slo[1]
