"""Snapshots of every screen at 80x24 and 120x40, fixed seed, cursor blink frozen.

Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from chaosgame.tui.app import ChaosApp
from tests.tui.conftest import settle

SIZES = [(80, 24), (120, 40)]

Steps = tuple[str, ...]

SCREENS: dict[str, tuple[dict[str, Any], Steps]] = {
    "home": ({}, ()),
    "briefing": ({"start": "briefing"}, ()),
    "console_overview": ({"start": "console"}, ("r",)),
    "console_metrics": ({"start": "console"}, ("r", "m", "2")),
    "console_logs": ({"start": "console"}, ("3", "slash", *"payments error", "enter")),
    "console_traces": (
        {"start": "console"},
        ("4", "slash", *"checkout status=error", "enter", "down", "enter"),
    ),
    "console_timeline": ({"start": "console"}, ("5", "r")),
    "console_notes": ({"start": "console"}, ("6", *"suspect payments")),
    "actions": ({"start": "console"}, ("a",)),
    "confirm": ({"start": "console"}, ("slash", *"do restart payments", "enter")),
    "declare": ({"start": "console"}, ("d", *"pay", "tab", *"dep")),
    "palette": ({"start": "console"}, ("colon", *"rollback")),
    "result": ({"start": "console"}, ("slash", *"pods payments", "enter")),
    "help": ({"start": "console"}, ("question_mark",)),
    "debrief": ({"start": "console"}, ("r", "w", "e", "y")),
}


def _steps(keys: Steps) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(
    name: str,
    size: tuple[int, int],
    app_factory: Callable[..., ChaosApp],
    snap_compare: Any,
) -> None:
    options, keys = SCREENS[name]
    scenario = "checkout-payment-step-failing" if options else None
    app = app_factory(scenario, **options)
    assert snap_compare(app, terminal_size=size, run_before=_steps(keys))


# History and quiz: a fixed two-run store (fixed time stamps), the quiz at seed 7 on slo.
SLO_DOWNS = ("down",) * 11  # "all topics", then the curriculum's order down to slo
HISTORY_QUIZ: dict[str, Steps] = {
    "history": ("h",),
    "history_postmortem": ("h", "down", "enter"),
    "quiz_topics": ("z",),
    "quiz": ("z", *SLO_DOWNS, "enter", "3"),
}


@pytest.fixture(scope="module")
def records_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tui.test_history_quiz import make_records

    path = tmp_path_factory.mktemp("snapshot-records") / "runs.sqlite3"
    make_records(path)
    return path


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(HISTORY_QUIZ))
def test_history_quiz_screen(
    name: str,
    size: tuple[int, int],
    app_factory: Callable[..., ChaosApp],
    snap_compare: Any,
    records_file: Path,
    tmp_path: Path,
) -> None:
    from chaosgame.game.records import RunStore

    store_path = tmp_path / "runs.sqlite3"
    shutil.copy(records_file, store_path)
    app = app_factory(store=RunStore(store_path))
    assert snap_compare(app, terminal_size=size, run_before=_steps(HISTORY_QUIZ[name]))
