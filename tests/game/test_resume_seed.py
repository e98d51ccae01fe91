"""A game saved mid-way and resumed continues with the seed it was played with: its
observations, results and history equal those of the same game played without a break."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaosgame.game.records import RunStore, replay, resume_session
from chaosgame.game.session import Session
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

SEED = 1234
"""Not the scenario's own seed (7): with it the page comes 20 s earlier."""
BEFORE: list[dict[str, Any]] = [
    {"type": "query", "view": "map"},
    {"type": "query", "q": 'sum by (code) (rate(http_requests_total{service="payments"}[5m]))'},
    {"type": "query", "q": 'logs {service="checkout"} |= "timeout" --since=10m'},
    {"type": "mitigate", "action": "nonsense", "target": "payments"},  # refused, not recorded
    {"type": "wait", "seconds": 90},
]
AFTER: list[dict[str, Any]] = [
    {"type": "query", "q": "traces service=checkout status=error --limit=5"},
    {"type": "query", "q": "pods payments"},
    {"type": "mitigate", "action": "rollback", "target": "payments"},
    {"type": "query", "view": "events", "window": 1800},
    {"type": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.7},
    {"type": "wait", "seconds": 300},
    {"type": "query", "view": "slo"},
]


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load("checkout-payment-step-failing")


def _trace(session: Session, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    assert session.sim is not None
    return {
        "seed": session.seed,
        "start": session.start_time,
        "now": session.now,
        "observation": session.observe(),
        "outputs": json.loads(json.dumps(outputs, default=str)),
        "actions": session.actions,
        "declarations": session.declarations,
        "history": session.sim.history.digest(),
        "events": [e.as_dict() for e in session.sim.events],
    }


def test_the_seed_matters_here(storm: Scenario) -> None:
    own, other = Session(storm), Session(storm, SEED)
    own.reset()
    other.reset()
    assert storm.seed != SEED
    assert own.start_time != other.start_time
    assert own.observe() != other.observe()


def test_a_resumed_game_equals_an_unbroken_one(storm: Scenario, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    crashed = Session(storm, SEED)
    crashed.reset()
    rid = store.attach(crashed)
    for act in BEFORE:
        crashed.step(act)
    del crashed  # the terminal closed mid-game

    record = store.get(rid)
    assert record.seed == SEED
    resumed = resume_session(record)
    store.attach(resumed, rid)
    at_break = resumed.observe()
    outputs = [resumed.step(act) for act in AFTER]

    straight = Session(storm, SEED)
    straight.reset()
    for act in BEFORE:
        straight.step(act)
    assert at_break == straight.observe()  # the same state at the break
    expected = [straight.step(act) for act in AFTER]
    assert all(out["ok"] for out in expected)
    assert _trace(resumed, outputs) == _trace(straight, expected)

    # and finished, the resumed game scores like the unbroken one, and replays to it
    score = resumed.finish().score.as_dict()
    store.finish(rid, resumed, score)
    assert score == straight.finish().score.as_dict()
    again, problems = replay(store.get(rid), store)
    assert problems == []
    assert again.player.seed == SEED


def test_a_seed_the_records_cannot_keep_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A seed beyond 64 bits could not be saved (SQLite integers are 64-bit), so its game
    could never be resumed or replayed: it is refused with a message, not an internal error."""
    import io
    import sys

    from chaosgame.cli import main
    from chaosgame.game.records import RecordsError
    from chaosgame.scenario.loader import ScenarioError, load_scenario_text
    from chaosgame.scenario.model import SEED_MAX, SEED_MIN

    assert (SEED_MIN, SEED_MAX) == (-(2**63), 2**63 - 1)
    db = str(tmp_path / "runs.sqlite3")
    monkeypatch.setattr(sys, "stdin", io.StringIO("end\n"))
    with pytest.raises(SystemExit) as exc:
        main(["play", "--text", "--seed", str(2**64), "--records", db])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --seed" in err
    assert "out of range" in err
    assert "internal error" not in err
    # the largest seed that fits is played, saved and kept exactly
    monkeypatch.setattr(sys, "stdin", io.StringIO("end\n"))
    builtin = "checkout-payment-step-failing"
    assert main(["play", builtin, "--text", "--seed", str(SEED_MAX), "--records", db]) == 0
    assert RunStore(db).get("last").seed == SEED_MAX
    # a program that makes such a session gets a clear RecordsError from the store
    huge = Session(load(), 2**64)
    huge.reset()
    with pytest.raises(RecordsError, match="cannot be saved"):
        RunStore(db).attach(huge)
    # and a scenario file cannot name one
    text = load("checkout-payment-step-failing").model_dump_json()
    with pytest.raises(ScenarioError, match="seed"):
        load_scenario_text(text.replace('"seed":7', f'"seed":{2**64}'))
