"""Pilot tests: a query that fails is a message in the console, never the end of the app."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.message import Message

from chaosgame.game.flow import Game, Snapshot
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.telemetry import logsearch
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.messages import ActionCompleted
from chaosgame.tui.screens.console import ConsoleScreen
from tests.conftest import make_scenario
from tests.game.command_lines import Lines
from tests.tui.conftest import press, run_async, settle


@run_async
async def test_failing_queries_are_messages(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
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
        assert "points too large to draw are left out" in app.snapshot.message
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
    app = app_factory("checkout-payment-step-failing", start="console")
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


TAB_OF = {"logs": "3", "traces": "4", "trace": "4", "metrics": "2"}


@run_async
async def test_generated_lines_never_take_the_console_down(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated lines, read as the overview field reads them and sent as the field sends
    them; after each answer the tab that shows it is drawn."""
    monkeypatch.setattr("chaosgame.telemetry.budget.RENDER_LINES", 2000)
    monkeypatch.setattr("chaosgame.telemetry.budget.BULK_LINES", 100_000)
    scenario = make_scenario(duration=86400.0, time_limit=60000.0, page_at=3 * 3600.0)
    names = [c.name for c in scenario.components]
    app = app_factory(scenario, start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        sent = 0
        hostile = [
            "q 1e400",
            "q -1e400",
            "q 1e308 * 10",
            "q up * 1e300 or up",
            "q -1e308 + up * 1e308",
            "logs",
            '{service=~".+"} |~ "(.*a){25}" --since=1d',
            '{service="api"} |= "日本\u202e" --limit=1000',
            "traces service=api --limit=1000",
            "alerts --limit=1000",
        ]
        generated = itertools.islice(Lines(21, names, list(MITIGATIONS)), 40)
        for line in itertools.chain(hostile, generated):
            action = console._parse("overview", line)
            if action is None:
                continue
            assert app.request(action)
            sent += 1
            await settle(pilot)
            while app.screen is not console:  # an answer shown over the console
                await press(pilot, "escape")
            assert app.snapshot is not None
            assert "internal error" not in app.snapshot.message, (line, app.snapshot.message)
            kind = str(action.get("q", "")).split(" ", 1)[0]
            await press(pilot, TAB_OF.get(kind, "1"))
        assert sent > 20
        assert app.is_running


@pytest.mark.parametrize("words", ['C:\\path "x"', "a\\", "\\n", "日本 \\u202e"])
def test_words_typed_in_the_logs_tab_are_searched_as_typed(words: str) -> None:
    from chaosgame.telemetry.logquery import parse
    from chaosgame.tui.widgets.logs import log_query

    _, filters, _ = parse(log_query(f"payments {words}", {"payments"}))
    assert [f.value for f in filters] == [words]
