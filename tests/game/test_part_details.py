"""Every score part whose points fell short says, in its detail line, what cost them."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game.players import reference_actions, shotgun_actions
from chaosgame.game.scoring import Part, assess, play
from chaosgame.scenario.library import load

STORM = "checkout-payment-step-failing"
QUIET = "search-cpu-high-at-night"


def _fix(name: str) -> list[dict[str, Any]]:
    return [a for a in reference_actions(load(name)) if a["type"] == "mitigate"]


def _declare(component: str | None, kind: str, confidence: float = 1.0) -> dict[str, Any]:
    return {"type": "declare", "component": component, "kind": kind, "confidence": confidence}


END = {"type": "end"}
LOOK = {"type": "query", "view": "metric", "component": "payments", "metric": "errors"}
GAMES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "idle": (STORM, [END]),
    "fixed without a diagnosis": (STORM, [*_fix(STORM), END]),
    "fixed, wrong cause": (STORM, [*_fix(STORM), _declare("catalog", "bad-deploy"), END]),
    "fixed, unsure": (STORM, [*_fix(STORM), _declare("payments", "bad-deploy", 0.6), END]),
    "fixed late": (
        STORM,
        [{"type": "wait", "seconds": 1800}, *_fix(STORM), _declare("payments", "bad-deploy"), END],
    ),
    "looked a long time": (
        STORM,
        [*[LOOK] * 25, *_fix(STORM), _declare("payments", "bad-deploy"), END],
    ),
    "shotgun": (STORM, shotgun_actions(load(STORM))),
    "false alarm, idle": (QUIET, [END]),
    "false alarm, hands on": (
        QUIET,
        [{"type": "mitigate", "action": "restart", "target": "search"}, END],
    ),
}


@pytest.fixture(scope="module", params=list(GAMES))
def parts(request: pytest.FixtureRequest) -> list[Part]:
    name, acts = GAMES[request.param]
    scenario = load(name)
    session, _ = play(scenario, acts, 7)
    return assess(session).score.parts


def test_a_part_that_lost_points_says_why(parts: list[Part]) -> None:
    for part in parts:
        lost = part.max_points - round(part.points, 1)
        if lost < 0.05:
            assert "lost" not in part.detail, part
            continue
        assert f"lost {lost:.1f}" in part.detail, part
        why = part.detail.split(f"lost {lost:.1f}", 1)[1]
        assert len(why.strip(" :;,.")) > 10, part
        gate = part.data.get("gate", 1.0)
        if part.key in ("collateral", "investigation") and gate < 0.999:
            assert "scaled" in why, part
        if part.key in ("slo", "time") and gate < 0.999:
            assert "no harm to avoid" in why or "only with its cause named" in why, part


def test_full_points_read_as_full(parts: list[Part]) -> None:
    for part in parts:
        if part.max_points - round(part.points, 1) < 0.05:
            assert "lost" not in part.detail
