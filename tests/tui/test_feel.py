"""The feel of the console: no colour, themes, and the keys the footer shows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets._footer import FooterKey

from chaosgame.tui.app import DARK, LIGHT, ChaosApp
from chaosgame.tui.screens.console import ConsoleScreen
from chaosgame.tui.screens.home import HomeScreen
from tests.tui.conftest import press, run_async, settle


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@run_async
async def _health_reads_without_colour(app: ChaosApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.no_color
        assert isinstance(app.screen, ConsoleScreen)
        await press(pilot, "r")
        service_map = app.screen.query_one("#map")
        text = "\n".join(service_map.render_line(y).text for y in range(16))
        assert "✗ FAIL" in text  # health is a symbol and a word, not only a colour
        assert "✓ ok" in text


def test_no_color_is_respected(no_color: None, app_factory: Callable[..., ChaosApp]) -> None:
    _health_reads_without_colour(app_factory("checkout-payment-step-failing", start="console"))


@run_async
async def test_theme_toggles(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.theme == DARK
        await press(pilot, "ctrl+t")
        assert app.theme == LIGHT
        await press(pilot, "ctrl+t")
        assert app.theme == DARK


@run_async
async def test_every_screen_key_is_in_the_footer(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown = {k.key for k in app.screen.query(FooterKey)}
        for key in ("slash", "a", "d", "w", "e", "colon", "question_mark"):
            assert key in shown, key


@run_async
async def test_a_game_that_cannot_start_is_a_message(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaosgame.game.flow import Game
    from chaosgame.game.records import RecordsError

    def broken(self: Game) -> None:
        raise RecordsError("run 3 does not replay: action 2 was refused")

    monkeypatch.setattr(Game, "start", broken)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None
        shown = [n.message for n in app._notifications]
        assert any("could not start" in m and "does not replay" in m for m in shown)
