"""Pilot tests of the debrief: author and player text shown as written, one score and one
path, the SLOs that burned charted worst first, the same figures on every screen."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from chaosgame.game.records import RunStore
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.debrief import DebriefScreen
from chaosgame.tui.screens.history import HistoryScreen
from chaosgame.tui.widgets.plot import Plot
from tests.tui.conftest import press, run_async, settle

TALL = (80, 400)
"""Wide as the smallest terminal, tall enough to hold the whole debrief at once."""


def screen_text(app: ChaosApp) -> str:
    """What the terminal shows, as plain text (what a player reads)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def flat(text: str) -> str:
    """Screen text with its line breaks and indents folded into single spaces."""
    return " ".join(text.split())


def bracketed() -> Scenario:
    """The built-in incident with Rich-markup look-alikes in every kind of author text."""
    data = load("checkout-payment-step-failing").model_dump(mode="json", by_alias=True)
    data["title"] = "Checkout [bold]fails[/bold] at [x] the payment step"
    data["briefing"] = "[bold]PAGE[/]: [x] checkout burns. " + data["briefing"]
    data["debrief"]["summary"] = "[x] The [bold]payments[/bold] deploy [/] broke checkout."
    data["debrief"]["signals"][0] += " [x] [/]"
    data["truth"]["contributing"][0] = "[red]checkout[/red] retries three times"
    data["truth"]["causal_chain"][0]["what"] = "[x] v3.2.0 fails [/] a third"
    data["debrief"]["questions"][0]["question"] = "Why [/] is payments [bold]still[/] saturated?"
    return Scenario.model_validate(data)


async def _to_debrief(pilot: Pilot[Any], *keys: str) -> None:
    await settle(pilot)
    await press(pilot, *keys, "e", "y")
    assert isinstance(pilot.app.screen, DebriefScreen)


@run_async
async def test_author_and_player_text_is_shown_as_written(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(bracketed(), start="console")
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        app.save_notes("[bold]suspect payments[/] [x]")
        await _to_debrief(pilot, "r", "w")
        text = flat(screen_text(app))
        assert "[x] The [bold]payments[/bold] deploy [/] broke checkout." in text
        assert "[red]checkout[/red] retries three times" in text
        assert "[x] v3.2.0 fails [/] a third" in text
        assert "Why [/] is payments [bold]still[/] saturated?" in text
        # the markers say which signals the player looked at
        assert "[x] you looked, [ ] you missed" in text
        markers = re.findall(r"(\[[x ]\]) ", text.split("you missed")[1].split("Your path")[0])
        assert markers
        assert set(markers) <= {"[x]", "[ ]"}
        assert "[ ] payments error rate rose" in text
        assert "[x] [/]" in text
        app.screen.action_export()
        await settle(pilot)
        written = next(app.export_dir.glob("postmortem-*.md")).read_text()
        assert "[bold]suspect payments[/] [x]" in written


@run_async
async def test_one_score_and_one_path(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=TALL) as pilot:
        await _to_debrief(pilot, "r", "w", "slash", *"nosuchthing", "enter")
        text = screen_text(app)
        assert len(re.findall(r"\bScore\b", text)) == 1, text
        assert text.count("Your path") == 1
        assert app.snapshot is not None
        assert app.snapshot.debrief is not None
        path = app.snapshot.debrief["player_path"]
        assert [row["type"] for row in path] == ["query", "wait", "end"]
        assert "after 3 actions" in flat(text)


def slo_first_never_burns() -> Scenario:
    """The built-in incident with its SLOs listed browse (never burns) first."""
    data = load("checkout-payment-step-failing").model_dump(mode="json", by_alias=True)
    data["slos"] = data["slos"][::-1]
    return Scenario.model_validate(data)


@run_async
async def test_the_chart_shows_the_slos_that_burned_worst_first(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(slo_first_never_burns(), start="console")
    async with app.run_test(size=TALL) as pilot:
        await _to_debrief(pilot, "w")
        assert app.snapshot is not None
        assert app.snapshot.debrief is not None
        per_slo = app.snapshot.debrief["score"]["parts"][0]["data"]["per_slo"]
        burned = sorted(
            (name for name, runs in per_slo.items() if runs["player"] > 0.001),
            key=lambda name: -per_slo[name]["player"],
        )
        assert burned == ["checkout availability", "checkout latency"]
        titles = [str(t.render()) for t in app.screen.query(".chart-title")]
        assert len(titles) == len(app.screen.query(Plot)) == 2
        for title, name in zip(titles, burned, strict=True):
            assert title.startswith(name), titles
        assert "browse availability" in flat(screen_text(app))  # named as not burning


def _total(text: str) -> str:
    found = set(re.findall(r"Score:? (\d+(?:\.\d+)?) ?/ ?100", text))
    assert len(found) == 1, found
    return found.pop()


@run_async
async def test_the_same_figures_everywhere(
    app_factory: Callable[..., ChaosApp], tmp_path: Any
) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    app = app_factory("checkout-payment-step-failing", start="console", store=store)
    async with app.run_test(size=TALL) as pilot:
        await _to_debrief(
            pilot, "r", "slash", *"do rollback payments", "enter", "w", "slash", *"nosuch", "enter"
        )
        assert app.snapshot is not None
        assert app.snapshot.debrief is not None
        debrief = app.snapshot.debrief
        total = f"{debrief['score']['total']:.1f}"
        shown = screen_text(app)
        assert _total(shown) == total
        assert _total(debrief["text"]) == total
        assert f"score {total}/100 ({debrief['score']['grade']})" in debrief["postmortem"]
        actions = len(debrief["player_path"])
        assert f"after {actions} actions" in flat(shown)
        assert f"after {actions} actions" in flat(debrief["text"])
        timeline = debrief["postmortem"].split("## Timeline")[1].split("\n## ")[0]
        assert f"took {actions} actions" in timeline
        assert timeline.count("| on-call |") == actions
        for part in debrief["score"]["parts"]:
            figure = f"{part['points']:.1f}/{part['max_points']:g}"
            assert figure in shown
            assert figure in debrief["text"]
        await press(pilot, "h", "h")
        assert isinstance(app.screen, HistoryScreen)
        await settle(pilot)
        assert f"{total} {debrief['score']['grade']}" in screen_text(app)
