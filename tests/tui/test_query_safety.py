"""Pilot tests: a query that fails is a message in the console, never the end of the app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.message import Message

from chaosgame.game.flow import Game, Snapshot
from chaosgame.telemetry import logsearch
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.messages import ActionCompleted
from chaosgame.tui.screens.console import ConsoleScreen
from tests.tui.conftest import press, run_async, settle


@run_async
async def test_failing_queries_are_messages(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("payments-retry-storm", start="console")
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
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
        assert "topk() takes a whole number of series" in app.snapshot.message
        assert app.game.view.now == before  # mistakes cost nothing
        await press(pilot, "slash", *"1e400", "enter")  # an infinite scalar is an answer
        assert not app.snapshot.error
        assert app.snapshot.charts
        await press(pilot, "3", "slash", *'{service="web"} |~ "(a)\\1"', "enter")
        assert app.snapshot.error
        assert "backreference" in app.snapshot.message
        assert isinstance(app.screen, ConsoleScreen)
        assert not app.busy
        assert all(
            "internal error" not in m.snapshot.message
            for m in messages
            if isinstance(m, ActionCompleted)
        )


@pytest.mark.parametrize("key", ["ctrl+q", "ctrl+c"])
@run_async
async def test_quitting_stops_a_running_search(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """A search over a day of logs with no budget would take minutes; quitting stops it at
    its next chunk, and the app exits without waiting for it."""
    monkeypatch.setattr("chaosgame.telemetry.budget.RENDER_LINES", 10**12)
    started, done = threading.Event(), threading.Event()
    rendered: list[int] = []
    answers: list[Snapshot] = []
    real_render, real_step = logsearch.render, Game.step

    def render(*args: Any) -> tuple[float, str]:
        rendered.append(1)
        started.set()
        return real_render(*args)

    def step(game: Game, action: Any, stop: Any = None) -> Snapshot:
        try:
            answers.append(real_step(game, action, stop))
            return answers[-1]
        finally:
            done.set()

    monkeypatch.setattr(logsearch, "render", render)
    app = app_factory("payments-retry-storm", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.game is not None
        await press(pilot, "3", "slash", *'{service=~".+"} --since=1d', "enter")
        assert app.snapshot is not None
        assert app.snapshot.logs is not None
        lines = int(app.snapshot.logs["scanned"])  # every line of the day, counted unread
        actions = app.game.view.actions
        monkeypatch.setattr(Game, "step", step)
        await pilot.press("slash", *'{service=~".+"} |~ "(.*a){25}" --since=1d', "enter")
        for _ in range(2000):  # until the worker writes its first line
            if started.is_set():
                break
            await pilot.pause(0.01)
        assert started.is_set()
        assert app.busy
        await pilot.press(key)
    assert app.return_code == 0
    assert done.wait(timeout=120)  # a guard: the worker ends at its next chunk
    assert answers[-1].message.endswith(": cancelled")
    assert len(rendered) < lines  # it stopped early: not every line was read
    assert app.game.view.actions == actions  # a dropped search costs nothing
