"""Briefing: the page as the on-call engineer gets it, before the clock starts running."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from chaosgame.game.flow import Snapshot
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.footer import KeyFooter
from chaosgame.tui.widgets.status import AlertList, SloGauge

if TYPE_CHECKING:
    from chaosgame.generate.menu import About
    from chaosgame.tui.app import ChaosApp


LISTED = 40
"""The most component names a briefing lists (a big fleet is read on the grouped map)."""


def components_text(names: list[str]) -> str:
    """The fleet's components, or the first of a big fleet's and how many more."""
    if len(names) <= LISTED:
        return ", ".join(names)
    shown = ", ".join(names[: LISTED - 10])
    return f"{shown} and {len(names) - LISTED + 10} more (the map groups them by team)"


def briefing_text(snap: Snapshot, about: About | None = None) -> Content:
    """Title, where a generated incident came from, the page, what is known, and the rules of
    the clock."""
    b = snap.briefing
    obs = snap.observation
    origin: list[tuple[str, str]] = []
    if about is not None and about.code:
        origin = [
            ("Seed code ", "$text-muted"),
            (about.code, "bold $accent"),
            (f" ({about.setting}): share it to play the same incident\n", "$text-muted"),
            ("Difficulty estimate ", "$text-muted"),
            (about.estimate + "\n\n", ""),
        ]
    return Content.assemble(
        ("INCIDENT  ", "bold reverse $error"),
        (f" {b['title']}\n\n", "bold"),
        *origin,
        (str(b.get("briefing", "")).strip() + "\n\n", ""),
        ("Paged at ", "$text-muted"),
        (f"{obs['clock']}", "bold"),
        ("   time limit ", "$text-muted"),
        (format_duration(float(b.get("time_limit_s", 0))), "bold"),
        ("   difficulty ", "$text-muted"),
        (str(b.get("difficulty", "")), "bold"),
        ("\nJourneys: ", "$text-muted"),
        (", ".join(b.get("journeys", [])), ""),
        ("\nComponents: ", "$text-muted"),
        (components_text(list(b.get("components", []))), ""),
        (
            "\n\nFrom now on every view and every action costs simulated time, and the outage keeps "
            "burning the error budget while you look. Find the cause, mitigate, declare it.",
            "italic",
        ),
    )


class BriefingScreen(Screen[None]):
    """Read the page, then take the console."""

    BINDINGS = [
        Binding("enter", "take", "take the page"),
        Binding("escape", "back", "back"),
    ]

    def compose(self) -> ComposeResult:
        """The briefing and the alerts firing."""
        snap = cast("ChaosApp", self.app).snapshot
        with VerticalScroll(id="briefing"):
            about = cast("ChaosApp", self.app).about
            yield Static(briefing_text(snap, about) if snap else "", id="briefing-text")
            alerts = AlertList()
            alerts.snapshot = snap
            yield alerts
            gauge = SloGauge()
            gauge.snapshot = snap
            yield gauge
            yield Static(
                Content.assemble(
                    ("enter", "bold $accent"),
                    " take the page and open the console   ",
                    ("?", "bold $accent"),
                    " how to play",
                ),
                id="briefing-go",
            )
        yield KeyFooter()

    def action_take(self) -> None:
        """Open the incident console."""
        from chaosgame.tui.screens.console import ConsoleScreen

        self.app.switch_screen(ConsoleScreen())

    def action_back(self) -> None:
        """Back to the incident list."""
        self.app.pop_screen()
