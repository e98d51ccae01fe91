"""``login-fix-does-not-hold`` needs the clients' laws: the returning players and their
synchronized retries knock the rolled-back login service over again, and only admitting
part of the logins, then lifting the limit, ends the incident."""

from __future__ import annotations

from typing import Any

import numpy as np

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

NAME = "login-fix-does-not-hold"
ROLLBACK = [(25 * 60.0, {"action": "rollback", "target": "login"})]
LIMIT = {"action": "rate-limit", "target": "edge", "journey": "login"}
REFERENCE = [
    (25 * 60.0, {**LIMIT, "fraction": 0.5}),
    (25 * 60.0, {"action": "rollback", "target": "login"}),
    (40 * 60.0, {**LIMIT, "fraction": 0.0}),
]


def run(sc: Scenario, plan: list[tuple[float, dict[str, Any]]]) -> Simulator:
    sim = Simulator(sc)
    adapter = mitigation_adapter()
    for at, spec in plan:
        sim.run_until(at)
        sim.mitigate(adapter.validate_python(spec))
    sim.run_until(62 * 60.0)  # the time limit after the page
    return sim


def login(sim: Simulator, series: str, lo_min: int, hi_min: int) -> float:
    lo, hi = int(lo_min * 60 / sim.dt), int(hi_min * 60 / sim.dt)
    return float(np.mean(sim.history.journey[series][lo:hi, 0]))


def without_clients(sc: Scenario) -> Scenario:
    journeys = [j.model_copy(update={"clients": None}) for j in sc.journeys]
    return sc.model_copy(update={"journeys": journeys})


def test_the_rollback_alone_is_knocked_over_by_the_returning_players() -> None:
    sc = load(NAME)
    assert sc.journeys[0].clients is not None
    sim = run(sc, ROLLBACK)
    assert login(sim, "rate", 30, 40) > 3 * 150.0  # the herd at the front door
    assert login(sim, "errors", 55, 62) > 0.3  # still failing at the time limit


def test_without_the_clients_the_rollback_alone_would_be_enough() -> None:
    sim = run(without_clients(load(NAME)), ROLLBACK)
    assert login(sim, "rate", 30, 40) < 1.1 * 150.0
    assert login(sim, "errors", 55, 62) < 0.001


def test_admitting_part_of_the_logins_then_lifting_the_limit_recovers() -> None:
    sim = run(load(NAME), REFERENCE)
    assert login(sim, "errors", 30, 40) < 0.55  # half turned away, the admitted half served
    assert login(sim, "errors", 45, 62) < 0.001
    assert sim.clients is not None
    assert float(sim.clients.reservoir.sum()) < 100.0  # the pile of players drained
