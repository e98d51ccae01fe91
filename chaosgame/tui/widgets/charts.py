"""Metric charts of the series the player picked: one braille plot each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from chaosgame.game.flow import Chart, Snapshot
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.plot import Plot, Series

PALETTE = ("$accent", "$warning", "$success", "$secondary")


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
    Charts > Plot {
        height: 8;
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
        """Rebuild the plots when the set of charts changed."""
        charts = snap.charts if snap is not None else ()
        if charts == getattr(self, "_shown", ()) or not charts:
            return
        self._shown = charts
        self.remove_children()
        widgets: list[Static | Plot] = []
        for n, chart in enumerate(charts):
            widgets.append(Static(chart_title(chart), classes="chart-title"))
            plot = Plot()
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
