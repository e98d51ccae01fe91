"""Long steps (the first simulation, the scoring at the end) show a progress screen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import LoadingIndicator

from chaosgame.game.flow import Game
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.briefing import BriefingScreen
from chaosgame.tui.screens.debrief import DebriefScreen
from chaosgame.tui.screens.dialogs import WorkingScreen
from tests.tui.conftest import LIBRARY, press, run_async, settle


def _held(monkeypatch: pytest.MonkeyPatch, name: str) -> threading.Event:
    """Make ``Game.<name>`` wait until the returned event is set (a slow step, held open)."""
    release = threading.Event()
    original = getattr(Game, name)

    def slow(self: Game, *args: Any) -> Any:
        release.wait(timeout=30)
        return original(self, *args)

    monkeypatch.setattr(Game, name, slow)
    return release


async def _until(pilot: Any, test: Callable[[], bool]) -> None:
    for _ in range(200):
        if test():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never came")


@run_async
async def test_starting_shows_progress_until_the_briefing(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = _held(monkeypatch, "start")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*LIBRARY, "enter")
        await _until(pilot, lambda: isinstance(app.screen, WorkingScreen))
        screen = app.screen
        assert screen.query_one(LoadingIndicator)
        title = str(screen.query_one("#working-title").render())
        assert title == "Starting: Checkout is failing at the payment step"
        assert "up to the moment you are paged" in str(screen.query_one("#working-detail").render())
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert len(app.screen_stack) == 2  # home, briefing: the progress screen is gone


@run_async
async def test_ending_shows_progress_until_the_debrief(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        release = _held(monkeypatch, "_debrief")
        await pilot.press("e", "y")
        await _until(pilot, lambda: isinstance(app.screen, WorkingScreen))
        assert "Ending the game" in str(app.screen.query_one("#working-title").render())
        assert app.screen.query_one(LoadingIndicator)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert not any(isinstance(s, WorkingScreen) for s in app.screen_stack)


@run_async
async def test_an_ordinary_step_shows_no_progress_screen(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "w")
        assert not any(isinstance(s, WorkingScreen) for s in app.screen_stack)
