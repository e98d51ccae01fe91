"""Take the screenshots of the first-incident walkthrough in docs/playing.md (80x24, SVG).

Run from the repository: ``python docs/make_screenshots.py``. It plays the built-in incident
with its own seed through the terminal UI, as a newcomer would, and writes one SVG per step
into ``docs/img/``. Only the mechanics are shown: no step gives the cause away, and the
debrief (which does) is not pictured.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
SIZE = (80, 24)

Step = tuple[str, tuple[str, ...]]
"""A screenshot's file name (without ``.svg``) and the keys pressed before it is taken."""

STEPS: tuple[Step, ...] = (
    ("home", ()),
    ("briefing", ("enter",)),
    ("console", ("enter", "r")),
    ("chart", ("2", "slash", *"checkout errors 30m", "enter")),
    ("logs", ("3", "slash", *"checkout timeout", "enter")),
    ("traces", ("4", "slash", *"checkout status=error", "enter", "down", "enter")),
    ("mitigate", ("1", "down", "a", "down", "down")),
    ("mitigate-filled", ("enter", "tab", "6")),
    ("timeline", ("enter", "5", "r")),
    ("declare", ("d", *"checkout", "tab", *"slow")),
)
"""The walkthrough, in order: each step goes on from where the one before left the game."""


def image_names() -> list[str]:
    """The files the script writes (``home.svg``...), in the walkthrough's order."""
    return [f"{name}.svg" for name, _ in STEPS]


async def _settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(out: Path = IMG) -> None:
    """Play the steps and write each screenshot into ``out``."""
    sys.path.insert(0, str(ROOT))
    from textual.widgets import Input

    from chaosgame.scenario.index import read_index
    from chaosgame.tui.app import make_app

    out.mkdir(parents=True, exist_ok=True)
    app = make_app(None, None, library=read_index())
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        home = app.screen
        while home.entries[home._chosen_index()].id != "checkout-payment-step-failing":
            await pilot.press("down")  # the built-in incident, wherever the list has it
        await _settle(pilot)
        for name, keys in STEPS:
            for key in keys:
                await pilot.press(key)
                await _settle(pilot)
            for field in app.screen.query(Input):
                field.cursor_blink = False
            await _settle(pilot)
            svg = app.export_screenshot(title=f"chaosgame: {name}")
            (out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(out / f"{name}.svg")


if __name__ == "__main__":
    asyncio.run(shoot())
