"""Run records: saved after every action, resumable, replayable, robust to damage."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.game.players import reference_actions
from chaosgame.game.records import (
    ENV,
    RecordsError,
    RunStore,
    compare_scores,
    default_path,
    replay,
    resume_session,
)
from chaosgame.game.scoring import assess
from chaosgame.game.session import Session
from chaosgame.scenario.library import load

OPENING: list[dict[str, Any]] = [
    {"type": "query", "view": "map"},
    {"type": "query", "view": "metric", "component": "payments", "metric": "errors"},
    {"type": "mitigate", "action": "rollback", "target": "payments"},
]


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.sqlite3")


def _finished(store: RunStore, actions: list[dict[str, Any]]) -> int:
    session = Session(load())
    session.reset()
    rid = store.attach(session)
    for act in actions:
        assert session.step(act)["ok"]
    store.finish(rid, session, session.finish().score.as_dict())
    return rid


def test_default_path_is_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(ENV, raising=False)
    assert default_path() == platformdirs.user_data_path("chaosgame", appauthor=False) / (
        "runs.sqlite3"
    )
    monkeypatch.setenv(ENV, "/somewhere/else.db")
    assert default_path() == Path("/somewhere/else.db")


def test_a_game_is_saved_after_every_action(store: RunStore) -> None:
    session = Session(load())
    session.reset()
    rid = store.attach(session)
    for n, act in enumerate(OPENING, start=1):
        session.step(act)
        saved = store.get(rid)
        assert len(saved.actions) == n
        assert saved.actions[-1]["action"]["type"] == act["type"]
        assert saved.status == "playing"
    session.step({"type": "mitigate", "action": "nonsense", "target": "payments"})
    assert len(store.get(rid).actions) == len(OPENING)  # a refused action is not recorded


def test_resume_after_a_crash_continues_the_same_game(store: RunStore) -> None:
    crashed = Session(load())
    crashed.reset()
    rid = store.attach(crashed)
    for act in OPENING:
        crashed.step(act)
    del crashed  # the terminal closed
    resumed = resume_session(store.get(rid))
    store.attach(resumed, rid)
    rest = [
        {"type": "mitigate", "action": "disable-retries", "target": "checkout", "to": "payments"}
    ]
    for act in rest:
        assert resumed.step(act)["ok"]
    straight = Session(load())
    straight.reset()
    for act in OPENING + rest:
        straight.step(act)
    assert resumed.now == straight.now
    assert resumed.sim is not None
    assert straight.sim is not None
    assert resumed.sim.history.digest() == straight.sim.history.digest()
    assert len(store.get(rid).actions) == len(OPENING) + len(rest)


def test_replay_reproduces_the_score(store: RunStore) -> None:
    rid = _finished(store, [*OPENING, *reference_actions(load())])
    record = store.get(rid)
    assert record.status == "finished"
    assert record.score is not None
    assessment, problems = replay(record)
    assert problems == []
    assert assessment.score.as_dict() == record.score


def test_replay_reports_a_score_that_differs(store: RunStore) -> None:
    rid = _finished(store, reference_actions(load()))
    with sqlite3.connect(store.path) as conn:
        score = json.loads(
            conn.execute("SELECT score FROM runs WHERE id = ?", (rid,)).fetchone()[0]
        )
        score["total"] = 12.0
        conn.execute("UPDATE runs SET score = ? WHERE id = ?", (json.dumps(score), rid))
    _, problems = replay(store.get(rid))
    assert any("total 12.0 recorded" in p for p in problems)
    assert compare_scores(score, score) == []


def test_a_damaged_record_is_reported_and_skipped(store: RunStore) -> None:
    first = _finished(store, [{"type": "end"}])
    second = _finished(store, [{"type": "end"}])
    third = _finished(store, [{"type": "end"}])
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET actions = '[{not json' WHERE id = ?", (second,))
        conn.execute("UPDATE runs SET score = '\"no total\"' WHERE id = ?", (third,))
    runs = store.runs()
    assert [r.id for r in runs] == [first]
    assert any(f"run {second}: damaged record skipped" in p for p in store.problems)
    assert any(f"run {third}: damaged record skipped" in p for p in store.problems)
    with pytest.raises(RecordsError, match=f"run {second}"):
        store.get(second)


def test_a_corrupt_database_file_is_never_fatal(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"this is not a database at all, just some bytes" * 100)
    reader = RunStore(path)
    with pytest.raises(RecordsError, match="not a readable run database"):
        reader.runs()
    writer = RunStore(path)
    rid = _finished(writer, [{"type": "end"}])
    assert writer.get(rid).status == "finished"
    kept = tmp_path / "runs.sqlite3.corrupt-1"
    assert kept.read_bytes().startswith(b"this is not a database")  # nothing was thrown away
    assert any("kept as" in p for p in writer.problems)


def test_unknown_run_ids_are_messages(store: RunStore) -> None:
    _finished(store, [{"type": "end"}])
    with pytest.raises(RecordsError, match="no run 99"):
        store.get(99)
    with pytest.raises(RecordsError, match="not a run id"):
        store.get("yesterday")
    assert store.get("last").id == 1
    with pytest.raises(RecordsError, match="no unfinished games"):
        store.get("unfinished")


# ------------------------------------------------------------------------------- CLI
def _cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_play_history_replay_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.sqlite3")
    script = "metric payments\ndo rollback payments\ndo disable-retries checkout to=payments\n"
    script += "declare payments bad-deploy\nend\n"
    assert _cli(monkeypatch, ["play", "--text", "--records", db], script) == 0
    out = capsys.readouterr().out
    assert "Saved as run 1" in out
    assert _cli(monkeypatch, ["history", "--json", "--records", db]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == 1
    assert rows[0]["status"] == "finished"
    assert rows[0]["score"] >= 85
    assert set(rows[0]["parts"]) == {"slo", "diagnosis", "time", "collateral", "investigation"}
    assert _cli(monkeypatch, ["history", "--records", db]) == 0
    assert "checkout-payment-step-failing" in capsys.readouterr().out
    assert _cli(monkeypatch, ["replay", "1", "--records", db]) == 0
    assert "the replay reproduced the run" in capsys.readouterr().out
    assert _cli(monkeypatch, ["report", "last", "--records", db]) == 0
    assert capsys.readouterr().out.startswith("# Postmortem:")
    assert _cli(monkeypatch, ["report", "7", "--records", db]) == 1
    assert "no run 7" in capsys.readouterr().err


def test_play_resume_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "r.sqlite3"
    store = RunStore(db)
    crashed = Session(load())
    crashed.reset()
    rid = store.attach(crashed)
    for act in OPENING:
        crashed.step(act)
    assert _cli(monkeypatch, ["play", "--resume", "--records", str(db)], "end\n") == 0
    assert f"Saved as run {rid}" in capsys.readouterr().out
    record = store.get(rid)
    assert record.status == "finished"
    assert len(record.actions) == len(OPENING) + 1
    assert _cli(monkeypatch, ["play", "--resume", str(rid), "--records", str(db)], "end\n") == 1
    assert "is finished" in capsys.readouterr().err


def test_history_survives_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "r.sqlite3"
    store = RunStore(db)
    _finished(store, [{"type": "end"}])
    _finished(store, [{"type": "end"}])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET actions = 'garbage' WHERE id = 1")
    assert _cli(monkeypatch, ["history", "--json", "--records", str(db)]) == 0
    captured = capsys.readouterr()
    assert [r["id"] for r in json.loads(captured.out)] == [2]
    assert "run 1: damaged record skipped" in captured.err
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"\x00\xff" * 4096)
    assert _cli(monkeypatch, ["history", "--records", str(garbage)]) == 1
    assert "not a readable run database" in capsys.readouterr().err


def test_assess_of_a_replayed_record_matches_a_direct_assessment(store: RunStore) -> None:
    acts = [*OPENING, {"type": "wait", "seconds": 300}, {"type": "end"}]
    rid = _finished(store, acts)
    session = Session(load())
    session.reset()
    for act in acts:
        session.step(act)
    assert assess(session).score.as_dict() == store.get(rid).score
