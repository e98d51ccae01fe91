"""``chaosgame history`` (text and JSON) and the history screen list saved games in one
order, the newest first, from one function of the records."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable

from chaosgame.cli import main
from chaosgame.game.records import RunStore, newest_first
from chaosgame.game.session import Session
from chaosgame.scenario import library
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.history import HistoryScreen
from tests.tui.conftest import press, run_async, settle


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("order") / "runs.sqlite3"
    store = RunStore(path)
    for seed in (1, 2, 3):
        session = Session(library.load(), seed)
        session.reset()
        store.attach(session)
    return path


def _cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(argv) == 0


def test_the_order_is_the_newest_first(three_runs: Path) -> None:
    assert [r.id for r in newest_first(RunStore(three_runs).runs())] == [3, 2, 1]


@run_async
async def test_the_cli_and_the_history_screen_list_runs_in_the_same_order(
    app_factory: Callable[..., ChaosApp],
    three_runs: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _cli(["history", "--json", "--records", str(three_runs)], monkeypatch)
    from_json = [row["id"] for row in json.loads(capsys.readouterr().out)]
    _cli(["history", "--records", str(three_runs)], monkeypatch)
    from_text = [int(line.split()[0]) for line in capsys.readouterr().out.splitlines()[1:]]
    app = app_factory(store=RunStore(three_runs))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#runs", DataTable)
        on_screen = [int(table.get_row_at(i)[0]) for i in range(table.row_count)]
    assert from_json == from_text == on_screen == [3, 2, 1]
