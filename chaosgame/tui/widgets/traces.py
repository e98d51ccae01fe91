"""The trace view: the list a trace search found, and one trace as a waterfall.

A search (``traces service=checkout status=error``) lists sampled traces; ``enter`` on one
asks for it (``trace ID``, which costs its own query time) and draws its spans as bars on a
shared time axis, nested by depth, failures marked with ``✗`` and their message (never by
colour alone). The view keeps the last search's list while a trace is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chaosgame.game.flow import Snapshot
from chaosgame.tui.widgets.text import Parts

BAD = frozenset(("error", "timeout", "unavailable", "cancelled"))


def _bad(status: Any) -> bool:
    return str(status).lower() in BAD


def trace_row(trace: Mapping[str, Any]) -> Content:
    """One line of a search's list: when, how long, outcome, endpoint and the first error."""
    bad = _bad(trace.get("status", "ok"))
    errors = int(trace.get("errors", 0))
    out = Parts()
    out.add(f"{trace.get('clock', '')} {float(trace.get('duration_ms', 0.0)):6.0f} ms ")
    out.add("✗" if bad else "✓", "$error" if bad else "$success")
    out.add(f" {int(trace.get('span_count', 0)):2d} spans")
    out.add(f" {errors:2d} failed" if errors else "          ")
    out.add(f"  {trace.get('endpoint', '')}")
    if trace.get("first_error"):
        out.add(f"  {trace['first_error']}", "$text-muted")
    return out.content()


def _span_name(span: Mapping[str, Any]) -> str:
    """A span's label, indented by its depth: ``  payments call payments-db (try 2)``."""
    label = f"{span.get('service', '')} {span.get('name', '')}".strip()
    if int(span.get("attempt", 1)) > 1:
        label += f" (try {int(span['attempt'])})"
    return f"{' ' * min(int(span.get('depth', 0)), 12)}{label}"


def waterfall(trace: Mapping[str, Any], width: int) -> Content:
    """One trace's spans: names nested by depth, bars on the trace's time axis, durations."""
    spans = [s for s in trace.get("spans", []) if isinstance(s, Mapping)]
    out = Parts()
    head = f"trace {trace.get('trace_id', '')}"
    if trace.get("clock"):
        head += f"  at {trace['clock']}"
    out.add(head, "bold")
    if not spans:
        return out.line().add("(no spans were kept for this trace)", "$text-muted").content()
    t0 = min(float(s.get("start_ms", 0.0)) for s in spans)
    t1 = max(float(s.get("start_ms", 0.0)) + float(s.get("duration_ms", 0.0)) for s in spans)
    total = max(t1 - t0, 1e-6)
    out.add(f"  {total:.0f} ms, {len(spans)} spans", "bold").line()
    names = [_span_name(s) for s in spans]
    # names whole when the bars keep 24 columns; the bars take the rest of the width
    name_w = min(max(len(n) for n in names), max(16, width - 14 - 24))
    bar_w = max(width - name_w - 14, 10)  # name, space, bar, " 12345.6ms", " ✗"
    for s, name in zip(spans, names, strict=True):
        depth = int(s.get("depth", 0))
        if len(name) > name_w:
            name = name[: name_w - 1] + "…"
        start = float(s.get("start_ms", 0.0)) - t0
        dur = float(s.get("duration_ms", 0.0))
        a = min(int(start / total * bar_w), bar_w - 1)
        b = min(max(a + 1, round((start + dur) / total * bar_w)), bar_w)
        bad = _bad(s.get("status", "ok"))
        style = "$error" if bad else "$success"
        out.add(f"{name:<{name_w}} ")
        out.add(" " * a + ("▆" if s.get("kind") == "client" else "█") * (b - a), style)
        out.add(" " * (bar_w - b))
        out.add(f" {dur:8.1f}ms", style)
        out.add(" ✗" if bad else "  ", style).line()
        if bad and s.get("message"):
            out.add(f"{' ' * min(depth + 2, 14)}↳ {s['message']}", "$error").line()
    out.add("█ server span  ▆ client call  ✗ failed", "$text-muted")
    return out.content()


class TraceView(Vertical, can_focus=False):
    """The last trace search's list and the trace opened from it."""

    DEFAULT_CSS = """
    TraceView > #trace-help {
        height: auto;
        color: $text-muted;
    }
    TraceView > #trace-list {
        height: 1fr;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TraceView.-open > #trace-list {
        height: auto;
        max-height: 25%;
        min-height: 3;
    }
    TraceView > #trace-scroll {
        height: 1fr;
    }
    TraceView.-listed > #trace-scroll {
        display: none;
    }
    TraceView.-listed.-open > #trace-scroll {
        display: block;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    _trace: Mapping[str, Any] | None = None
    """The open trace (drawn again when the width changes)."""

    class TraceRequested(Message):
        """The player chose a trace from the list: ask the session for it."""

        def __init__(self, trace_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id

    def compose(self) -> ComposeResult:
        """Help line, the list of a search, and the open trace."""
        yield Static(
            "Press / and type a component (checkout) or a search: "
            "traces service=checkout status=error min_duration=1s",
            id="trace-help",
        )
        yield OptionList(id="trace-list")
        with VerticalScroll(id="trace-scroll"):
            yield Static("", id="trace-body")

    def on_mount(self) -> None:
        """Nothing listed yet."""
        self.query_one("#trace-list", OptionList).display = False

    def focus_main(self) -> None:
        """Focus the list when there is one, else the open trace."""
        listing = self.query_one("#trace-list", OptionList)
        (listing if listing.display else self.query_one("#trace-scroll")).focus()

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Show a new search's list, or a newly opened trace."""
        result = snap.traces if snap is not None else None
        if result is getattr(self, "_shown", None) or result is None or not self.is_mounted:
            return
        self._shown = result
        if result.get("kind") == "trace" or "spans" in result:
            self._trace = result
            self.add_class("-open")
            self._draw()
            self.query_one("#trace-scroll", VerticalScroll).scroll_home(animate=False)
            return
        self._list(result)

    def _draw(self) -> None:
        """Draw the open trace to the width there is (the list takes the height it needs)."""
        trace = self._trace
        if trace is None:
            return
        width = self.size.width - 2  # the scroll bar
        self.query_one("#trace-body", Static).update(waterfall(trace, max(width, 60)))

    def on_resize(self) -> None:
        """Draw the open trace again to the new width."""
        self._draw()

    def _list(self, result: Mapping[str, Any]) -> None:
        traces = [t for t in result.get("traces", []) if isinstance(t, Mapping)]
        listing = self.query_one("#trace-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(trace_row(t), id=str(t.get("trace_id"))) for t in traces])
        listing.display = bool(traces)
        self.set_class(bool(traces), "-listed")
        self.remove_class("-open")
        self._trace = None
        help_line = self.query_one("#trace-help", Static)
        query = result.get("query", "")
        if traces:
            listing.highlighted = 0
            scroll = self.query_one("#trace-scroll")
            if self.screen.focused in (None, scroll):  # the player is waiting on this view
                listing.focus()
            help_line.update(
                f"{len(traces)} traces, newest first · ↑↓ choose · enter opens one (a query)"
            )
        else:
            help_line.update(f"No sampled traces for `{query}` in that window.")
        self.query_one("#trace-body", Static).update("")

    @on(OptionList.OptionSelected, "#trace-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.TraceRequested(event.option.id))
