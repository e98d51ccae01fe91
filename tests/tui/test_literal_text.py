"""Text from authors, players and error messages is shown as written, never read as markup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chaosgame.game.records import RunStore
from chaosgame.game.session import Session
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.history import HistoryScreen
from chaosgame.tui.screens.result import ResultScreen
from tests.tui.conftest import SEED, press, run_async, settle
from tests.tui.test_debrief_screen import bracketed, flat, screen_text

TRICKY = "[bold]x[/bold] [x] [/]"


@run_async
async def test_a_query_answer_shows_brackets_as_written(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        result = {"kind": "help", "query": f"help {TRICKY}", "clock": "14:00:00", "text": TRICKY}
        await app.push_screen(ResultScreen(result))
        await settle(pilot)
        text = flat(screen_text(app))
        assert f"help {TRICKY} (read at 14:00:00)" in text
        assert f"text: {TRICKY}" in text


@run_async
async def test_history_lists_a_bracketed_title_as_written(
    app_factory: Callable[..., ChaosApp], tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    session = Session(bracketed(), SEED)
    session.reset()
    rid = store.attach(session)
    session.step({"type": "end"})
    store.finish(rid, session, session.finish().score.as_dict())
    app = app_factory(store=store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        await settle(pilot)
        table_row = screen_text(app).splitlines()[3]
        assert "Checkout [bold]fails[/bold] at [x] the payment step" in table_row


@run_async
async def test_an_error_notice_shows_brackets_as_written(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        app._start_failed(None, f"bad value {TRICKY}")  # type: ignore[arg-type]
        await settle(pilot)
        (notice,) = list(app._notifications)
        assert notice.message == f"The game could not start: bad value {TRICKY}"
        assert not notice.markup  # shown as written
