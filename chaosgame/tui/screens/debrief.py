"""Debrief: the score, the SLOs that burned, the truth revealed, your path, the questions.

Every sentence and figure comes from the debrief's ``sections`` (written once, in
``chaosgame.game.debrief_text``, for the text console too); this screen only lays them out.
Author and player text is drawn as text, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from chaosgame.game import exports, figures
from chaosgame.game.flow import PENDING, Snapshot
from chaosgame.tui.widgets.footer import KeyFooter
from chaosgame.tui.widgets.plot import Plot, Series
from chaosgame.tui.widgets.text import Hanging

if TYPE_CHECKING:
    from chaosgame.tui.app import ChaosApp

MAX_CHARTS = 3
"""SLOs charted, the worst first; the others are named in the budget table above them."""
TONES = {"good": "$success", "warn": "$warning", "bad": "$error", "muted": "$text-muted"}
RUNS = (("nothing", "doing nothing", "$error"), ("reference", "reference", "$success"))


def sli_series(sli: Mapping[str, Any], name: str) -> tuple[Series, ...]:
    """One SLO's SLI over the incident for doing nothing, the reference and you, in minutes
    from the page."""
    col = list(sli.get("columns", [])).index(name)
    page = float(sli.get("page_at", 0.0))
    out = []
    for key, label, style in (*RUNS, ("player", "you", "$accent")):
        rows = sli.get(key) or []
        pts = tuple(((float(r[0]) - page) / 60.0, float(r[col])) for r in rows if len(r) > col)
        if pts:
            out.append(Series(label, pts, style))
    return tuple(out)


def charted(sli: Mapping[str, Any]) -> list[str]:
    """The SLOs to chart: those that burned budget, the worst first (the first SLO when
    none did, so the chart still shows the incident)."""
    burned = [str(n) for n in sli.get("burned", [])]
    columns = list(sli.get("columns", []))[1:]
    return burned[:MAX_CHARTS] if burned else columns[:1]


def paragraphs(rows: Sequence[Mapping[str, str]], lead_tone_only: bool) -> Hanging:
    """A section's rows as hanging paragraphs; author text stays text."""
    out = []
    for r in rows:
        style = TONES.get(r.get("tone", ""), "")
        body_style = style if not lead_tone_only or r.get("tone") == "muted" else ""
        out.append(
            (
                Content.styled(r.get("lead", ""), style),
                Content.styled(r.get("text", ""), body_style),
            )
        )
    return Hanging(out)


def postmortem_markdown(snap: Snapshot) -> str | None:
    """The postmortem to export, with the player's notes when there are any."""
    text = (snap.debrief or {}).get("postmortem")
    if not text:
        return None
    out = str(text).rstrip("\n") + "\n"
    if snap.notes.strip():
        out += f"\n## Notes taken during the incident\n\n{snap.notes.strip()}\n"
    return out


class DebriefScreen(Screen[None]):
    """What happened, how you did, and what to learn from it."""

    DEFAULT_CSS = """
    DebriefScreen .section-title {
        text-style: bold;
        margin-top: 1;
    }
    DebriefScreen #score-title {
        color: $accent;
        margin-top: 0;
    }
    DebriefScreen .chart-title {
        margin-top: 1;
        color: $text-muted;
    }
    DebriefScreen Plot {
        height: 9;
    }
    DebriefScreen Plot.later {
        height: 7;
    }
    """
    BINDINGS = [
        Binding("x", "export", "export postmortem"),
        Binding("h,escape", "home", "home"),
        Binding("q", "app.quit", "quit"),
    ]

    def compose(self) -> ComposeResult:
        """The debrief's sections in order, with the SLI charts under the budget table."""
        snap = cast("ChaosApp", self.app).snapshot
        with VerticalScroll(id="debrief"):
            yield Static(Content.styled(" DEBRIEF ", "bold reverse $accent"), id="debrief-title")
            if snap is not None and snap.debrief is None:
                yield Static(Content(PENDING + " Waiting for them…"), id="debrief-pending")
            elif snap is not None:
                yield from self._sections(snap)
        yield KeyFooter()

    def _sections(self, snap: Snapshot) -> ComposeResult:
        debrief: Mapping[str, Any] = snap.debrief or {}
        for section in debrief.get("sections", []):
            key = str(section.get("key", ""))
            title = Content(str(section.get("title", "")))
            yield Static(title, classes="section-title", id=f"{key}-title")
            yield Static(
                paragraphs(section.get("rows", []), key in ("score", "signals")),
                id=f"section-{key}",
            )
            if key == "score":
                yield from self._notes(snap, debrief)
            if key == "sli":
                yield from self._charts(debrief.get("sli") or {})

    def _notes(self, snap: Snapshot, debrief: Mapping[str, Any]) -> ComposeResult:
        rejected = sum(1 for e in snap.path if not e.ok)
        if rejected:
            text = f"{figures.plural(rejected, 'command')} rejected, at no cost, not counted."
            yield Static(Content.styled(text, "$text-muted"), id="rejected")
        if debrief.get("save_problem"):
            yield Static(Content.styled(str(debrief["save_problem"]), "$warning"))

    def _charts(self, sli: Mapping[str, Any]) -> ComposeResult:
        for n, name in enumerate(charted(sli)):
            title = f"{name} SLI (x: minutes from the page)"
            yield Static(Content(title), classes="chart-title")
            plot = Plot(classes="later" if n else "")
            plot.series = sli_series(sli, name)
            plot.y_min = 0.0
            yield plot

    def action_export(self) -> None:
        """Write the postmortem as Markdown into the data folder, never over another file."""
        app = cast("ChaosApp", self.app)
        snap = app.snapshot
        text = postmortem_markdown(snap) if snap is not None else None
        if snap is None or text is None:
            self.notify("There is no postmortem to export.", severity="warning")
            return
        seed = app.game.seed if app.game else 0
        name = f"postmortem-{snap.briefing.get('id', 'incident')}-{seed}.md"
        try:
            path = exports.write_new(app.export_dir, name, text)
        except OSError as exc:
            self.notify(f"Could not write the postmortem: {exc}", severity="error", markup=False)
            return
        renamed = "" if path.name == name else f" ({name} was already there)"
        self.notify(f"Postmortem written to {path}{renamed}", timeout=8, markup=False)

    def action_home(self) -> None:
        """Back to the incident list."""
        from chaosgame.tui.screens.home import HomeScreen

        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen, HomeScreen):
            self.app.pop_screen()
