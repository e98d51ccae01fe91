"""A run database another program holds locked is waited for, then reported and kept, never
taken for a damaged file; reading the history takes no write lock.

A real second SQLite connection, in its own thread, holds the lock: ``BEGIN IMMEDIATE`` and a
write (what a second game saving does: readers may still read) or ``BEGIN EXCLUSIVE`` (what a
backup or a long write does: nobody else may read or write).
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.game import records
from chaosgame.game.records import RecordsLocked, RunStore
from chaosgame.game.session import Session
from chaosgame.scenario.library import load


@contextmanager
def locked(path: Path, mode: str, release_after: float | None = None) -> Iterator[None]:
    """Hold a ``BEGIN {mode}`` transaction with a write on ``path`` from another thread until
    the block ends (or ``release_after`` seconds, when given)."""
    ready, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute(f"BEGIN {mode}")
            conn.execute("UPDATE meta SET value = value")
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failed.append(exc)
            ready.set()
            return
        ready.set()
        release.wait(release_after)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait()
    if failed:
        raise failed[0]
    try:
        yield
    finally:
        release.set()
        holder.join()


def _saved_game(store: RunStore) -> int:
    session = Session(load())
    session.reset()
    rid = store.attach(session)
    session.step({"type": "query", "view": "map"})
    return rid


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "runs.sqlite3"
    _saved_game(RunStore(path))
    _saved_game(RunStore(path))
    return path


def _history(monkeypatch: pytest.MonkeyPatch, db: Path) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return main(["history", "--json", "--records", str(db)])


def test_history_is_read_while_another_program_writes(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(records, "LOCK_TIMEOUT_S", 0.2)  # a write lock would time out
    with locked(db, "IMMEDIATE"):
        assert [r.id for r in RunStore(db).runs()] == [1, 2]
        assert RunStore(db).get("last").id == 2
        assert _history(monkeypatch, db) == 0
        assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [2, 1]


def test_a_database_locked_for_too_long_is_reported_and_kept(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.read_bytes()
    monkeypatch.setattr(records, "LOCK_TIMEOUT_S", 0.2)
    with locked(db, "EXCLUSIVE"):
        with pytest.raises(RecordsLocked, match="in use by another program"):
            RunStore(db).runs()
        writer = RunStore(db)
        session = Session(load())
        with pytest.raises(RecordsLocked, match=r"stayed locked for 0\.2 s"):
            writer.start(session)
        assert _history(monkeypatch, db) == 1
        err = capsys.readouterr().err
        assert "in use by another program" in err
        assert "not a readable run database" not in err
    assert sorted(p.name for p in db.parent.iterdir()) == ["runs.sqlite3"]  # nothing set aside
    assert db.read_bytes() == before
    assert [r.id for r in RunStore(db).runs()] == [1, 2]  # the whole history is still there


def test_a_save_waits_for_a_lock_to_be_released(db: Path) -> None:
    store = RunStore(db, lock_timeout=60)
    with locked(db, "EXCLUSIVE", release_after=0.3):
        rid = _saved_game(store)
    assert rid == 3
    assert [r.id for r in RunStore(db).runs()] == [1, 2, 3]
    assert store.problems == []


def test_a_game_goes_on_while_its_database_is_locked_and_saves_later(db: Path) -> None:
    store = RunStore(db, lock_timeout=0.2)
    session = Session(load())
    session.reset()
    rid = store.attach(session)
    with locked(db, "EXCLUSIVE"):
        assert session.step({"type": "query", "view": "map"})["ok"]  # the game goes on
    assert len(store.problems) == 1
    assert "in use by another program" in store.problems[0]
    assert session.step({"type": "query", "view": "slo"})["ok"]
    assert len(store.get(rid).actions) == 2  # the next save caught up


def test_a_file_that_is_not_a_database_is_still_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"not a database" * 200)
    store = RunStore(path)
    _saved_game(store)
    assert (tmp_path / "runs.sqlite3.corrupt-1").read_bytes().startswith(b"not a database")
    assert any("kept as" in p for p in store.problems)


def test_a_game_started_while_its_database_is_locked_says_it_is_not_saved(db: Path) -> None:
    from chaosgame.game.flow import Game

    store = RunStore(db, lock_timeout=0.2)
    game = Game(load(), store=store)
    with locked(db, "EXCLUSIVE"):
        snap = game.start()
    assert game.run_id is None
    assert snap.error
    assert "This game is not being saved" in snap.message
    assert "in use by another program" in snap.message
