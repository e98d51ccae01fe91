"""Symptom hiding counts what still hides a user's symptoms at the end, nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.grading import evaluate
from chaosgame.engine.sim import Simulator
from chaosgame.game.players import play
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario
from tests.engine.fleet import fleet
from tests.engine.test_grading import BAD, CANARY, PAGE, PLAYER_END, SETTLE

ROLLBACK = {"action": "rollback", "target": "api"}


def graded(steps: list[tuple[float, dict[str, Any]]]) -> Any:
    """Each mitigation asked for at its time, then judged ``SETTLE`` after the player's end."""
    sim = Simulator(fleet(deploys=CANARY, faults=[BAD]))
    for at, spec in steps:
        sim.run_until(at)
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(PLAYER_END + SETTLE)
    return evaluate(sim, PAGE, SETTLE)


def test_a_shed_lifted_before_the_end_hides_nothing() -> None:
    shed = {"action": "shed-load", "target": "gw", "fraction": 1.0}
    lift = {"action": "shed-load", "target": "gw", "fraction": 0.0}
    out = graded([(PAGE, ROLLBACK), (PAGE, shed), (PAGE + 120.0, lift)])
    assert out.symptom_hiding == ()
    assert out.fixed, out.reasons
    # the same shed left in force still hides the symptoms
    kept = graded([(PAGE, ROLLBACK), (PAGE, shed)])
    assert kept.symptom_hiding == ("shed-load gw",)


def test_a_silence_that_ran_out_hides_nothing() -> None:
    short = {"action": "silence-alert", "target": "api", "duration": 60.0}
    assert graded([(PAGE, ROLLBACK), (PAGE, short)]).symptom_hiding == ()
    long = {"action": "silence-alert", "target": "api", "duration": 7200.0}
    assert graded([(PAGE, ROLLBACK), (PAGE, long)]).symptom_hiding == ("silence-alert api",)


def background(reference: dict[str, Any]) -> Scenario:
    """A reindexing worker that serves no journey slows the shared database down; stopping
    the job (scaling it to zero, or pausing it) ends the fault."""
    comps = make_scenario().model_dump(by_alias=True)["components"]
    comps.append(
        {
            "name": "reindexer",
            "kind": "worker",
            "replicas": 2,
            "capacity": 50.0,
            "service_time": 0.02,
        }  # fmt: skip
    )
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "timeout": 0.5},
        {"from": "reindexer", "to": "db", "timeout": 5.0},
    ]
    fault = {
        "kind": "cpu-throttling",
        "target": "reindexer",
        "at": 900.0,
        "effects": [{"mechanism": "service-time", "amount": 30.0, "target": "db"}],
        "remedies": [{"action": "scale", "params": {"replicas": 0}}, {"action": "pause-job"}],
    }
    return make_scenario(
        components=comps,
        dependencies=deps,
        faults=[fault],
        truth={
            "root_cause": {"component": "reindexer", "kind": "cpu-throttling"},
            "reference_solution": [reference],
        },
    )


@pytest.mark.parametrize(
    "stop",
    [
        {"action": "scale", "target": "reindexer", "replicas": 0},
        {"action": "pause-job", "target": "reindexer"},
    ],
    ids=["scale-to-zero", "pause-job"],
)
def test_stopping_a_background_job_is_no_symptom_hiding(stop: dict[str, Any]) -> None:
    sc = background(stop)
    reference = {c.name: c for c in check_scenario(sc)}["reference-recovers"]
    assert reference.ok, reference.reason
    session, refused = play(sc, [{"type": "mitigate", **stop}, {"type": "wait", "seconds": 600}])
    assert not refused
    time = {p.key: p for p in session.finish().score.parts}["time"]
    assert not time.data["symptom_hiding"]
    assert time.data["fraction"] == 1.0, time.detail
