"""Crash logs: next to the run records, never overwritten, somewhere even when that fails."""

from __future__ import annotations

import tempfile
from pathlib import Path

from chaosgame.game.records import crash_log


def test_crash_logs_go_next_to_the_records_and_never_overwrite(tmp_path: Path) -> None:
    first = crash_log("one", tmp_path / "runs.sqlite3")
    second = crash_log("two", tmp_path / "runs.sqlite3")
    assert first.parent == second.parent == tmp_path
    assert first != second
    assert (first.read_text(), second.read_text()) == ("one", "two")


def test_a_folder_that_cannot_be_written_falls_back_to_the_temporary_folder(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    path = crash_log("details", blocked / "runs.sqlite3")
    try:
        assert path.parent == Path(tempfile.gettempdir())
        assert path.read_text() == "details"
    finally:
        path.unlink()
