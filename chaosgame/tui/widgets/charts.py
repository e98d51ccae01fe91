"""Metric charts of the series the player picked: one braille plot each, on a clock-time axis.

Under each chart the axis marks the page (``P``), the deploys (``D``) and other changes (``C``)
on the timeline the player has read, their own mitigations (``A`` when asked, ``E`` when they
took effect) and declarations (``A``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from chaosgame.game.flow import Chart, Snapshot
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.plot import Mark, Plot, Series

PALETTE = ("$accent", "$warning", "$success", "$secondary")

LEGEND = "P page · D deploy · C change (as you read them) · A you acted · E took effect"

CHANGE_MARKS = {"deploy": "D", "rollback": "D", "flag": "C", "config": "C"}


def chart_marks(snap: Snapshot) -> tuple[Mark, ...]:
    """The moments every chart marks, the most important first (it wins a shared column)."""
    marks = [Mark(snap.start_s, "P", "$error")]
    for entry in snap.path:
        if entry.ok and entry.kind in ("mitigate", "declare"):
            marks.append(Mark(entry.time_s, "A", "$success"))
        if entry.ok and entry.effect_s is not None:
            marks.append(Mark(entry.effect_s, "E", "$success"))
    for event in snap.events:
        symbol = CHANGE_MARKS.get(str(event.get("kind")))
        if symbol:
            marks.append(Mark(float(event["time"]), symbol, "$accent"))
    return tuple(marks)


def chart_title(chart: Chart) -> Content:
    """``component metric`` with now/min/max and when it was read."""
    values = [v for _, pts in chart.lines[:1] for _, v in pts]
    if not values:
        stats = "no data in that window"
    else:
        stats = f"now {values[-1]:.4g}  min {min(values):.4g}  max {max(values):.4g}"
    return Content.assemble(
        (chart.title, "bold"),
        f"  last {format_duration(chart.window_s)}  {stats}  ",
        (f"read at {chart.read_at}", "$text-muted"),
    )


class Charts(VerticalScroll):
    """Up to four charts; the newest at the bottom."""

    DEFAULT_CSS = """
    Charts > .chart-title {
        height: 1;
    }
    Charts > .legend {
        height: auto;
        color: $text-muted;
    }
    Charts > Plot {
        height: 10;
        margin-bottom: 1;
    }
    Charts > .empty {
        color: $text-muted;
        padding: 1 2;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)

    def compose(self) -> ComposeResult:
        """Nothing until a chart is read."""
        yield Static(
            "No chart yet. Press / and type a component and a metric, "
            "for example: payments errors 15m",
            classes="empty",
        )

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Rebuild the plots when the set of charts changed; move the marks when they did."""
        if snap is None or not snap.charts:
            return
        marks = chart_marks(snap)
        if snap.charts == getattr(self, "_shown", ()):
            if marks != getattr(self, "_marks", ()):
                self._marks = marks
                for plot in self.query(Plot):
                    plot.marks = marks
            return
        self._shown, self._marks = snap.charts, marks
        self.remove_children()
        widgets: list[Static | Plot] = [Static(LEGEND, classes="legend")]
        for n, chart in enumerate(snap.charts):
            widgets.append(Static(chart_title(chart), classes="chart-title"))
            plot = Plot()
            plot.clock0 = snap.clock_zero
            plot.marks = marks
            if len(chart.lines) == 1:
                plot.series = (Series("", chart.lines[0][1], PALETTE[n % len(PALETTE)]),)
            else:
                plot.series = tuple(
                    Series(name[:24], pts, PALETTE[k % len(PALETTE)])
                    for k, (name, pts) in enumerate(chart.lines)
                )
            widgets.append(plot)
        self.mount_all(widgets)
        self.scroll_end(animate=False)
