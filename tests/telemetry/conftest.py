"""Shared fixtures: the built-in incident run past its page, with telemetry attached."""

from __future__ import annotations

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.library import load
from chaosgame.telemetry.recorder import attach


def played(seed: int | None = None, until: float = 3000.0) -> Simulator:
    sim = Simulator(load(), seed)
    attach(sim)
    sim.run_until(until)
    return sim


@pytest.fixture(scope="module")
def storm() -> Simulator:
    """The payments retry storm, 50 minutes in (after the bad deploy)."""
    return played()
