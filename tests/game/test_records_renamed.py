"""A run saved before its curated scenario was renamed resumes, replays and lists under the
scenario's id and title now (the old id is one of its ``aliases``)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.game.records import RunStore, replay, resume_session
from chaosgame.game.session import Session
from chaosgame.scenario import library
from chaosgame.scenario.model import Scenario

OPENING: list[dict[str, Any]] = [
    {"type": "query", "view": "map"},
    {"type": "mitigate", "action": "rollback", "target": "payments"},
]


def _as_before_the_rename() -> tuple[Scenario, Scenario]:
    """The built-in scenario as it is now, and as it was saved under its earlier id."""
    now = library.load()
    assert now.aliases
    before = now.model_copy(update={"id": now.aliases[0], "title": "An old title", "aliases": []})
    return now, before


def _saved(store: RunStore, scenario: Scenario, actions: list[dict[str, Any]]) -> int:
    session = Session(scenario)
    session.reset()
    rid = store.attach(session)
    for act in actions:
        assert session.step(act)["ok"]
    return rid


def test_a_run_saved_under_an_earlier_id_resumes_under_the_id_now(tmp_path: Path) -> None:
    now, before = _as_before_the_rename()
    store = RunStore(tmp_path / "runs.sqlite3")
    rid = _saved(store, before, OPENING)
    record = store.get(rid)
    assert record.stored_id == before.id
    assert record.scenario_id == now.id
    assert record.title == now.title
    assert record.summary()["scenario"] == now.id
    resumed = resume_session(record)
    assert (resumed.scenario.id, resumed.scenario.title) == (now.id, now.title)
    assert before.id in resumed.scenario.aliases
    straight = Session(before)
    straight.reset()
    for act in OPENING:
        straight.step(act)
    assert resumed.sim is not None
    assert straight.sim is not None
    assert resumed.sim.history.digest() == straight.sim.history.digest()


def test_a_finished_run_saved_under_an_earlier_id_replays_exactly(tmp_path: Path) -> None:
    _, before = _as_before_the_rename()
    store = RunStore(tmp_path / "runs.sqlite3")
    session = Session(before)
    session.reset()
    rid = store.attach(session)
    for act in [*OPENING, {"type": "end"}]:
        session.step(act)
    store.finish(rid, session, session.finish().score.as_dict())
    assessment, problems = replay(store.get(rid))
    assert problems == []
    assert assessment.score.as_dict() == store.get(rid).score


def test_history_and_play_resume_name_the_scenario_by_its_id_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now, before = _as_before_the_rename()
    db = tmp_path / "runs.sqlite3"
    rid = _saved(RunStore(db), before, OPENING)
    assert main(["history", "--json", "--records", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["scenario"] == now.id
    monkeypatch.setattr(sys, "stdin", io.StringIO("end\n"))
    assert main(["play", "--resume", str(rid), "--records", str(db)]) == 0
    out = capsys.readouterr().out
    assert now.title in out
    assert before.id not in out


def test_play_by_an_earlier_id_plays_the_renamed_scenario(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now, before = _as_before_the_rename()
    monkeypatch.setattr(sys, "stdin", io.StringIO("end\n"))
    assert main(["play", before.id, "--text", "--no-record"]) == 0
    out = capsys.readouterr().out
    assert f"=== {now.title} ===" in out
