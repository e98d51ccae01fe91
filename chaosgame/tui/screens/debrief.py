"""Debrief: the truth revealed, the score, the SLI compared, the path, the questions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from chaosgame.game.flow import Snapshot
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.footer import KeyFooter
from chaosgame.tui.widgets.plot import Plot, Series

if TYPE_CHECKING:
    from chaosgame.tui.app import ChaosApp


def sli_series(snap: Snapshot) -> tuple[Series, ...]:
    """The first SLO's SLI: yours, the reference solution's and doing nothing's when known."""
    sli = (snap.debrief or {}).get("sli")
    if not isinstance(sli, Mapping) or "player" not in sli:
        return (Series("you", snap.sli_trail, "$accent"),)
    out = []
    for key, name, style in (
        ("nothing", "doing nothing", "$error"),
        ("reference", "reference", "$success"),
        ("player", "you", "$accent"),
    ):
        rows = sli.get(key) or []
        pts = tuple((float(r[0]) / 60.0, float(r[1])) for r in rows if len(r) > 1)
        if pts:
            out.append(Series(name, pts, style))
    return tuple(out)


def sli_title(snap: Snapshot) -> str:
    """Which SLI the plot shows."""
    sli = (snap.debrief or {}).get("sli")
    if isinstance(sli, Mapping) and len(sli.get("columns", [])) > 1:
        return f"{sli['columns'][1]} SLI over the incident (x: simulated minutes)"
    return "SLI (5 min) over the game"


def postmortem_markdown(snap: Snapshot) -> str:
    """A Markdown postmortem: the scoring issue's when available, else the debrief and path."""
    debrief: Mapping[str, Any] = snap.debrief or {}
    if debrief.get("postmortem"):
        return str(debrief["postmortem"])
    lines = [f"# Postmortem: {snap.briefing.get('title', '')}", "", "## Debrief", ""]
    lines.append("```")
    lines.append(str(debrief.get("text", "")).strip())
    lines.append("```")
    lines += ["", "## Timeline of the response", "", "| clock | on call | action | cost | result |"]
    lines.append("|---|---|---|---|---|")
    for e in snap.path:
        result = "ok" if e.ok else f"rejected: {e.message}"
        lines.append(
            f"| {e.clock} | +{format_duration(round(e.elapsed_s)) if e.elapsed_s >= 1 else '0s'} "
            f"| {e.label} | {format_duration(e.cost_s) if e.cost_s else '-'} | {result} |"
        )
    if snap.notes.strip():
        lines += ["", "## Notes taken during the incident", "", snap.notes.strip()]
    return "\n".join(lines) + "\n"


class DebriefScreen(Screen[None]):
    """What happened, how you did, and what to learn from it."""

    BINDINGS = [
        Binding("x", "export", "export postmortem"),
        Binding("h,escape", "home", "home"),
        Binding("q", "app.quit", "quit"),
    ]

    def compose(self) -> ComposeResult:
        """Score, text, SLI plot and the path."""
        snap = cast("ChaosApp", self.app).snapshot
        with VerticalScroll(id="debrief"):
            yield Static(Content.styled(" DEBRIEF ", "bold reverse $accent"), id="debrief-title")
            if snap is not None:
                yield Static(self._score(snap), id="score")
                yield Static(Content.styled(sli_title(snap), "bold"))
                plot = Plot(id="sli-plot")
                plot.series = sli_series(snap)
                plot.y_min = 0.0
                yield plot
                yield Static(str((snap.debrief or {}).get("text", "")).strip(), id="debrief-text")
                yield Static(Content.styled("\nYour path", "bold"))
                table: DataTable[str] = DataTable(id="path", cursor_type="row")
                yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the path table."""
        snap = cast("ChaosApp", self.app).snapshot
        if snap is None:
            return
        table = self.query_one("#path", DataTable)
        table.add_columns("clock", "action", "cost", "result")
        for e in snap.path:
            table.add_row(
                e.clock,
                e.label,
                format_duration(e.cost_s) if e.cost_s else "-",
                "ok" if e.ok else f"rejected: {e.message}"[:60],
            )

    def _score(self, snap: Snapshot) -> Content:
        debrief: Mapping[str, Any] = snap.debrief or {}
        obs = snap.observation
        parts: list[tuple[str, str] | str] = []
        score = debrief.get("score")
        if isinstance(score, Mapping):
            parts += [
                (f"Score {float(score.get('total', 0)):.0f}/100", "bold $accent"),
                (f"  grade {score.get('grade', '?')}\n", "bold"),
            ]
            for part in score.get("parts", []):
                got, top = float(part.get("points", 0)), float(part.get("max_points", 0))
                style = (
                    "$success" if top and got >= 0.8 * top else "$warning" if got > 0 else "$error"
                )
                parts += [
                    (f"  {str(part.get('label', '')):<22}", ""),
                    (f"{got:5.1f}/{top:<4.0f}", style),
                    (f"  {part.get('detail', '')}\n", "$text-muted"),
                ]
        if debrief.get("save_problem"):
            parts.append((f"{debrief['save_problem']}\n", "$warning"))
        parts.append(f"Ended at {obs.get('clock')} ({obs.get('end_reason', '')}); ")
        parts.append(f"{len(snap.path)} actions taken.")
        return Content.assemble(*parts)

    def action_export(self) -> None:
        """Write the postmortem as Markdown next to where the game was started."""
        snap = cast("ChaosApp", self.app).snapshot
        if snap is None:
            return
        app = cast("ChaosApp", self.app)
        name = f"postmortem-{snap.briefing.get('id', 'incident')}-{app.game.seed if app.game else 0}.md"
        path = Path(app.export_dir) / name
        try:
            path.write_text(postmortem_markdown(snap), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc}", severity="error")
            return
        self.notify(f"Postmortem written to {path}", timeout=6)

    def action_home(self) -> None:
        """Back to the incident list."""
        from chaosgame.tui.screens.home import HomeScreen

        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen, HomeScreen):
            self.app.pop_screen()
