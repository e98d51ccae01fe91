"""Pilot tests: a query that fails is a message in the console, never the end of the app."""

from __future__ import annotations

from collections.abc import Callable

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.console import ConsoleScreen
from tests.tui.conftest import press, run_async, settle


@run_async
async def test_failing_queries_are_messages(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("payments-retry-storm", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.game is not None
        before = app.game.view.now
        await press(pilot, "slash", *"logs", "enter")
        assert isinstance(app.screen, ConsoleScreen)
        assert app.snapshot is not None
        assert app.snapshot.error
        assert "stream selector" in app.snapshot.message
        await press(pilot, "2", "slash", *"topk(1e400, up)", "enter")
        assert app.snapshot.error
        assert "topk" in app.snapshot.message
        assert app.game.view.now == before  # mistakes cost nothing
        await press(pilot, "slash", *"1e400", "enter")  # an infinite scalar is an answer
        assert not app.snapshot.error
        assert app.snapshot.charts
        await press(pilot, "3", "slash", *'{service="web"} |~ "(a)\\1"', "enter")
        assert app.snapshot.error
        assert "backreference" in app.snapshot.message
        assert isinstance(app.screen, ConsoleScreen)
        assert not app.busy
