"""Check that a scenario plays the same, bit for bit, given the same seed and actions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario


@dataclass(frozen=True)
class Trace:
    """Everything observable about one play-through, reduced to comparable values."""

    history: str
    events: str
    results: str


def play(scenario: Scenario, actions: list[dict[str, Any]], seed: int | None = None) -> Trace:
    """Play ``actions`` in a fresh session and summarise all it produced."""
    session = Session(scenario, seed)
    outputs: list[Any] = [session.reset()]
    for action in actions:
        outputs.append(session.step(action))
    assert session.sim is not None
    events = [e.as_dict() for e in session.sim.events]
    return Trace(
        history=session.sim.history.digest(),
        events=json.dumps(events, sort_keys=True),
        results=json.dumps(outputs, sort_keys=True, default=str),
    )


def check_determinism(
    scenario: Scenario, actions: list[dict[str, Any]], seed: int | None = None
) -> None:
    """Play twice and raise ``AssertionError`` naming what differed, if anything did."""
    first = play(scenario, actions, seed)
    second = play(scenario, actions, seed)
    for field in ("history", "events", "results"):
        if getattr(first, field) != getattr(second, field):
            raise AssertionError(f"two plays with the same seed and actions differ in {field}")
