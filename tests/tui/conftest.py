"""Fixtures for the TUI tests: one factory for every app, and helpers to drive it."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from chaosgame.scenario import library
from chaosgame.scenario.model import Scenario
from chaosgame.tui.app import ChaosApp, make_app

SEED = 7
LIBRARY = ("down", "down", "down")
"""Keys from the home screen's first row to the first curated incident (below the new
generated incident, today's and the seed code's rows)."""
TODAY = dt.date(2026, 3, 2)
"""The date of "today's incident" in every app the tests build (a Monday)."""


@pytest.fixture(scope="session")
def builtin() -> Scenario:
    return library.load()


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[..., ChaosApp]:
    """``make_app`` with exports going to a temporary folder."""

    def build(
        scenario: Scenario | str | None = None, seed: int | None = SEED, **kw: Any
    ) -> ChaosApp:
        kw.setdefault("export_dir", tmp_path)
        kw.setdefault("today", TODAY)
        kw.setdefault("library", [library.load()])  # a fixed list: the library grows
        return make_app(scenario, seed, **kw)

    return build


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop (no async plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker is done and every message handled (no sleeping)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


def screen_lines(app: Any) -> list[str]:
    """The screen as plain text, one string per row (what a player reads, colours aside)."""
    import io

    from rich.console import Console

    width, height = app.size
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(update)
    return console.export_text().splitlines()[:height]
