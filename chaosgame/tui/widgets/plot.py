"""A braille line plot: several series on shared axes, with a y scale and a legend.

Each character cell holds 2x4 dots, so an 80-column terminal still draws a readable curve.
Colour tells series apart, and so does the legend's marker, so the plot reads without colour.
Given the clock time of x = 0, the plot also draws a time axis (``HH:MM``) and marks moments
on it with a letter (the page, a deploy, an action), each with a faint line up the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from chaosgame.tui.widgets.text import Parts

# Dot bit for (column 0..1, row 0..3) in a braille cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE = 0x2800


@dataclass(frozen=True)
class Series:
    """One line to draw: (x, y) points, a name for the legend and a colour."""

    name: str
    points: tuple[tuple[float, float], ...]
    style: str = "$accent"


@dataclass(frozen=True)
class Mark:
    """A moment to mark on the time axis: x, one letter, a style (letters read without colour)."""

    x: float
    symbol: str
    style: str = "$text-muted"


TIME_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Seconds between time labels: the smallest that leaves room for every label."""


def hhmm(clock_s: float) -> str:
    """``HH:MM`` of a second of the day (wrapping past midnight)."""
    at = int(clock_s) % 86400
    return f"{at // 3600:02d}:{at % 3600 // 60:02d}"


def time_ticks(x0: float, x1: float, clock0: float, cols: int) -> list[tuple[int, str]]:
    """``(column, HH:MM)`` labels for x in ``[x0, x1]`` drawn over ``cols`` columns, at whole
    minutes of the clock, spaced so that labels never touch."""
    span = max(x1 - x0, 1e-9)
    for step in TIME_STEPS:
        if span / step * 8 <= cols:
            break
    first = -(-(clock0 + x0) // step) * step
    ticks: list[tuple[int, str]] = []
    at = first
    while at - clock0 <= x1 + 1e-9:
        col = round((at - clock0 - x0) / span * (cols * 2 - 1)) // 2
        ticks.append((col, hhmm(at)))
        at += step
    return ticks


def _axis(
    out: Parts,
    label_w: int,
    cols: int,
    ticks: list[tuple[int, str]],
    marks: dict[int, Mark],
) -> None:
    """The axis line (ticks and mark letters), then the time labels under it."""
    out.add(" " * label_w + "└", "$text-muted")
    for c in range(cols):
        if c in marks:
            out.add(marks[c].symbol, f"bold {marks[c].style}")
        else:
            out.add("┬" if any(t == c for t, _ in ticks) else "─", "$text-muted")
    out.line()
    row = [" "] * (label_w + 1 + cols)
    end = 0
    for col, text in ticks:
        at = label_w + 1 + col - len(text) // 2
        at = max(at, label_w + 1)
        if at < end + 1 or at + len(text) > len(row):
            continue
        row[at : at + len(text)] = text
        end = at + len(text)
    out.add("".join(row).rstrip(), "$text-muted")


def _fmt(v: float, span: float) -> str:
    """A label of at most six characters, precise enough to tell ``span`` apart."""
    a = abs(v)
    if a >= 10000:
        return f"{v / 1000:.0f}k"
    if a >= 1000:
        return f"{v / 1000:.1f}k"
    for digits in range(0, 5):
        if span >= 10 ** (1 - digits) or digits == 4:
            text = f"{v:.{digits}f}"
            return text if len(text) <= 6 else f"{v:.1e}"
    return f"{v:.3g}"


def render_plot(
    series: Sequence[Series],
    width: int,
    height: int,
    *,
    y_min: float | None = None,
    clock0: float | None = None,
    marks: Sequence[Mark] = (),
) -> Content:
    """Draw ``series`` into ``width`` x ``height`` cells (axis labels included).

    With ``clock0`` (the second of the day at x = 0) and room for it, two rows at the bottom
    show the time axis in clock time with ``marks`` on it.
    """
    out = Parts()
    pts = [p for s in series for p in s.points]
    if width < 12 or height < 2 or not pts:
        return out.add("(no data yet)" if not pts else "", "$text-muted").content()
    label_w = 6
    cols = width - label_w - 1
    legend = len(series) > 1 or bool(series[0].name)
    rows = height - 1 if legend else height
    timed = clock0 is not None and rows >= 5
    if timed:
        rows -= 2
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1 = min(xs), max(xs)
    y0 = min(ys) if y_min is None else min(y_min, min(ys))
    y1 = max(ys)
    if y1 - y0 < 1e-12:
        y1 = y0 + (abs(y0) * 0.1 or 1.0)
    if x1 - x0 < 1e-12:
        x1 = x0 + 1.0
    dots_w, dots_h = cols * 2, rows * 4
    grid = [[0] * cols for _ in range(rows)]
    owner: list[list[int]] = [[-1] * cols for _ in range(rows)]
    at_col: dict[int, Mark] = {}
    for mark in marks:  # the first mark of a column wins: callers list the important first
        if x0 - 1e-9 <= mark.x <= x1 + 1e-9:
            at_col.setdefault(round((mark.x - x0) / (x1 - x0) * (dots_w - 1)) // 2, mark)

    def dot(dx: int, dy: int, who: int) -> None:
        if 0 <= dx < dots_w and 0 <= dy < dots_h:
            r, c = dy // 4, dx // 2
            grid[r][c] |= _DOTS[dy % 4][dx % 2]
            owner[r][c] = who

    for who, s in enumerate(series):
        prev: tuple[int, int] | None = None
        for x, y in s.points:
            dx = round((x - x0) / (x1 - x0) * (dots_w - 1))
            dy = dots_h - 1 - round((y - y0) / (y1 - y0) * (dots_h - 1))
            if prev is not None:
                px, py = prev
                steps = max(abs(dx - px), abs(dy - py), 1)
                for k in range(steps + 1):
                    dot(px + round((dx - px) * k / steps), py + round((dy - py) * k / steps), who)
            else:
                dot(dx, dy, who)
            prev = (dx, dy)
    for r in range(rows):
        if r == 0:
            label = _fmt(y1, y1 - y0)
        elif r == rows - 1:
            label = _fmt(y0, y1 - y0)
        elif r == rows // 2 and rows > 4:
            label = _fmt((y0 + y1) / 2, y1 - y0)
        else:
            label = ""
        out.add(f"{label:>{label_w}}", "$text-muted")
        out.add("┤" if label else "│", "$text-muted")
        for c in range(cols):
            bits = grid[r][c]
            if bits:
                out.add(chr(_BRAILLE + bits), series[owner[r][c]].style)
            elif c in at_col:
                out.add("┊", f"dim {at_col[c].style}")
            else:
                out.add(" ")
        out.line()
    if timed and clock0 is not None:
        _axis(out, label_w, cols, time_ticks(x0, x1, clock0, cols), at_col)
        out.line()
    if legend:
        out.add(" " * (label_w + 1))
        for s in series:
            out.add("━━ ", s.style)
            out.add(f"{s.name}  ")
    return out.content()


class Plot(Widget):
    """A widget that draws :class:`Series` with :func:`render_plot` at its own size."""

    DEFAULT_CSS = """
    Plot {
        height: 8;
        min-height: 4;
    }
    """

    series: reactive[tuple[Series, ...]] = reactive(())
    y_min: reactive[float | None] = reactive(None)
    clock0: reactive[float | None] = reactive(None)
    """The second of the day at x = 0: set, the plot has a time axis."""
    marks: reactive[tuple[Mark, ...]] = reactive(())

    def render(self) -> Content:
        """Draw the series to fit the widget."""
        return render_plot(
            self.series,
            self.size.width,
            self.size.height,
            y_min=self.y_min,
            clock0=self.clock0,
            marks=self.marks,
        )
