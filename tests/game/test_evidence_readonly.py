"""Looking never changes what happens: telemetry and queries only read the simulation.

For every curated scenario the engine's outcome (every history series, the SLO burn, the
events) is the same, bit for bit, whether nobody looks, a program reads every kind of
telemetry out of band, or the player spends the same simulated time querying instead of
waiting. The final score of the same actions is the same whoever else looked.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from chaosgame.engine import slo as slo_mod
from chaosgame.engine.sim import Simulator
from chaosgame.game.players import reference_actions
from chaosgame.game.session import Session
from chaosgame.scenario import library
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry import query as telemetry_query
from chaosgame.telemetry.errors import QueryError
from tests.engine.fault_cases import CASES
from tests.engine.fleet import fleet

SCENARIOS = sorted(p.stem for p in library.scenario_paths())

QUERIES = (
    "rate(http_requests_total[5m])",
    'sum by (version) (rate(http_requests_total{code=~"5.."}[5m]))',
    "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))",
    'logs {service=~".+"} |= "error"',
    'logs {service=~".+"} |= "timeout"',
    "traces status=error",
    "pods",
    "alerts",
    "events",
    "changes",
    "map",
)


def _outcome(sim: Simulator) -> str:
    """Every number the engine produced, and the SLO burn, as one comparable string."""
    tick = sim.history.ticks
    burn = [
        [s.consumed(0, tick), s.burn(tick, 300.0), s.burn(tick, 3600.0)]
        for s in slo_mod.all_series(sim)
    ]
    events = [e.as_dict() for e in sim.events]
    return json.dumps([sim.history.digest(), burn, events], default=str)


def _read_everything(sim: Simulator) -> None:
    """Ask every kind of telemetry at the current time without moving the clock."""
    for q in QUERIES:
        with contextlib.suppress(QueryError):  # a query a scenario cannot answer still reads
            telemetry_query.run(sim, q, sim.now)


def _session(sc: Scenario, actions: list[dict[str, Any]], *, peek: bool) -> Session:
    s = Session(sc)
    s.reset()
    for act in actions:
        if s.ended:
            break
        if peek:
            assert s.sim is not None
            _read_everything(s.sim)
        s.step(act)
    return s


@pytest.mark.parametrize("name", SCENARIOS)
def test_reading_telemetry_never_changes_the_outcome(name: str) -> None:
    sc = library.load(name)
    horizon = min(sc.duration, sc.onset + 1800.0)
    alone = Simulator(sc)
    alone.run_until(horizon)
    watched = Simulator(sc)
    while watched.now < horizon:
        watched.step()
        if watched.history.ticks % 60 == 0:
            _read_everything(watched)
    assert _outcome(watched) == _outcome(alone)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_fault_kind_plays_the_same_watched_or_not(kind: str) -> None:
    case = CASES[kind]
    sc = fleet(**{**case.scenario, "faults": [*case.context, case.fault]})
    alone = Simulator(sc)
    alone.run_until(case.end)
    watched = Simulator(sc)
    while watched.now < case.end:
        watched.step()
        if watched.history.ticks % 6 == 0:
            _read_everything(watched)
    assert _outcome(watched) == _outcome(alone)


@pytest.mark.parametrize("name", SCENARIOS)
def test_querying_costs_time_like_waiting(name: str) -> None:
    sc = library.load(name)
    costs = telemetry_query.COSTS
    asked = [{"type": "query", "q": q} for q in QUERIES]
    spent = sum(costs[q.split()[0]] if q.split()[0] in costs else costs["metrics"] for q in QUERIES)
    querying = Session(sc)
    querying.reset()
    for act in asked:
        querying.step(act)
    waiting = Session(sc)
    waiting.reset()
    waiting.step({"type": "wait", "seconds": spent})
    assert querying.now == waiting.now
    assert querying.sim is not None
    assert waiting.sim is not None
    assert _outcome(querying.sim) == _outcome(waiting.sim)


@pytest.mark.parametrize("name", SCENARIOS[:: max(1, len(SCENARIOS) // 6)])
def test_score_is_the_same_whoever_looked(name: str) -> None:
    sc = library.load(name)
    actions = reference_actions(sc)
    plain = _session(sc, actions, peek=False)
    peeked = _session(sc, actions, peek=True)
    assert plain.sim is not None
    assert peeked.sim is not None
    assert _outcome(peeked.sim) == _outcome(plain.sim)
    assert plain.finish().score.as_dict() == peeked.finish().score.as_dict()
