"""Exporting the postmortem from the debrief: into the data folder, never over a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chaosgame.game.exports import write_new
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.debrief import DebriefScreen
from tests.tui.conftest import SEED, press, run_async, settle


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    where = tmp_path / "new" / "folder"
    first = write_new(where, "report.md", "one")
    second = write_new(where, "report.md", "two")
    third = write_new(where, "report.md", "three")
    assert [p.name for p in (first, second, third)] == ["report.md", "report-2.md", "report-3.md"]
    assert [p.read_text() for p in (first, second, third)] == ["one", "two", "three"]
    assert write_new(where, "notes", "x").name == "notes"
    assert write_new(where, "notes", "y").name == "notes-2"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary data directory (the run records' folder), and another current folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("CHAOSGAME_RECORDS", str(data / "runs.sqlite3"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return data


@run_async
async def test_export_goes_to_the_data_folder_and_keeps_earlier_files(
    app_factory: Callable[..., ChaosApp], data_dir: Path
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console", export_dir=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "w", "e", "y")
        assert isinstance(app.screen, DebriefScreen)
        await press(pilot, "x")
        await press(pilot, "x")
        folder = data_dir / "postmortems"
        name = f"postmortem-checkout-payment-step-failing-{SEED}"
        assert sorted(p.name for p in folder.iterdir()) == [f"{name}-2.md", f"{name}.md"]
        assert not list(Path.cwd().iterdir())  # nothing in the folder the game started from
        first, second = folder / f"{name}.md", folder / f"{name}-2.md"
        assert first.read_text() == second.read_text()
        assert "wait 60s" in first.read_text()
        shown = [n.message for n in app._notifications]
        assert f"Postmortem written to {first}" in shown
        assert f"Postmortem written to {second} ({name}.md was already there)" in shown
