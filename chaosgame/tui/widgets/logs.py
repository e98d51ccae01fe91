"""The log explorer (highlighted, paged) and the query helpers of the logs and traces tabs.

The explorer renders the last answer of a typed query (``{"type": "query", "q": ...}``) from the
snapshot. They read plain data only and keep nothing of the game themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from chaosgame.game.flow import Snapshot
from chaosgame.tui.widgets.text import Parts

LEVEL_STYLE = {
    "error": "bold $error",
    "fatal": "bold $error",
    "warn": "$warning",
    "warning": "$warning",
    "info": "",
    "debug": "$text-muted",
}


def log_query(text: str, components: set[str]) -> str:
    """A typed log search as a query: LogQL as it is, or ``COMPONENT words`` made into one."""
    body = text.strip()
    if body.startswith(("{", "logs ")):
        return body
    head, _, rest = body.partition(" ")
    words, _, opts = rest.partition("--")
    opts = f" --{opts}" if opts else ""
    if head in components:
        selector = f'{{service="{head}"}}'
    else:
        selector, words = '{service=~".+"}', body.split("--")[0]
    words = words.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'{selector} |= "{words}"{opts}' if words else f"{selector}{opts}"


def trace_query(text: str) -> str:
    """A typed trace search: ``trace ID``, ``traces ...`` as they are; a bare name a service."""
    body = text.strip()
    if body.startswith(("trace ", "traces")):
        return body
    words = [w if "=" in w or w.startswith("--") else f"service={w}" for w in body.split()]
    return "traces " + " ".join(words)


def _terms(query: str) -> list[str]:
    """Literal strings the query filters on (``|= "x"``), to highlight in the lines."""
    return [m for m in re.findall(r'\|[=~]\s*"([^"]+)"', query) if m]


def _line_text(line: Any) -> tuple[str, str]:
    """A log line as ``(text, level)`` whatever shape the query returned."""
    if isinstance(line, Mapping):
        text = str(line.get("line") or line.get("text") or line.get("message") or line)
        return (text, str(line.get("level", "")).lower())
    text = str(line)
    low = text.lower()
    level = next((lv for lv in ("error", "fatal", "warn", "debug") if lv in low[:60]), "info")
    return text, level


def render_lines(lines: Sequence[Any], query: str) -> Content:
    """The lines, coloured by level, with the filter terms marked."""
    terms = _terms(query)
    pattern = re.compile("|".join(re.escape(t) for t in terms)) if terms else None
    out = Parts()
    for line in lines:
        text, level = _line_text(line)
        style = LEVEL_STYLE.get(level, "")
        if pattern is None:
            out.add(text, style)
        else:
            pos = 0
            for m in pattern.finditer(text):
                out.add(text[pos : m.start()], style)
                out.add(m.group(0), "bold reverse $accent")
                pos = m.end()
            out.add(text[pos:], style)
        out.line()
    return out.content()


class LogExplorer(VerticalScroll, can_focus=True):
    """The page of lines of the last log search, one record per line (``v`` wraps them);
    ``n``/``b`` ask for the next or previous page. The header says so (the footer has no room
    for these keys at 80 columns)."""

    BINDINGS = [
        Binding("n", "page(1)", "next page", show=False),
        Binding("b", "page(-1)", "previous page", show=False),
        Binding("v", "wrap", "wrap on/off", show=False),
        Binding("left", "side(-1)", "scroll left", show=False),
        Binding("right", "side(1)", "scroll right", show=False),
    ]
    DEFAULT_CSS = """
    LogExplorer {
        overflow-x: auto;
    }
    LogExplorer > .header {
        dock: top;
        color: $text-muted;
    }
    LogExplorer > .body {
        width: auto;
        text-wrap: nowrap;
    }
    LogExplorer.-wrap > .body {
        width: 1fr;
        text-wrap: wrap;
    }
    """

    class PageRequested(Message):
        """The player wants another page of the same search (it costs a query)."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    snapshot: reactive[Snapshot | None] = reactive(None)

    def compose(self) -> Any:
        """A header line and the body."""
        yield Static("", classes="header")
        yield Static("", classes="body")

    def _result(self) -> Mapping[str, Any] | None:
        return self.snapshot.logs if self.snapshot is not None else None

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Draw a new answer."""
        result = self._result()
        if result is getattr(self, "_shown", 0) or not self.is_mounted:
            return
        self._shown = result
        header, body = self.query_one(".header", Static), self.query_one(".body", Static)
        if result is None:
            header.update(
                "Press / and type a component and words (payments timeout) or LogQL: "
                '{service="checkout"} |= "timeout"'
            )
            body.update("")
            return
        lines = list(result.get("lines") or [])
        query = str(result.get("query", ""))
        notes = "; ".join(str(n) for n in result.get("notes", []))
        header.update(
            Content.assemble(
                (query, "bold"),
                f"  ·  {int(result.get('matched', len(lines))):,} matching lines  ·  page "
                f"{result.get('page', 1)}/{result.get('pages', 1)}  ·  n/b pages, ←→ scroll, v wraps",
                (f"\n{notes}" if notes else "", "$warning"),
            )
        )
        body.update(render_lines(lines, query) if lines else "(no lines)")
        self.scroll_home(animate=False)

    def action_side(self, direction: int) -> None:
        """Scroll the records sideways by a third of the width."""
        self.scroll_relative(x=direction * max(self.size.width // 3, 8), animate=False)

    def action_wrap(self) -> None:
        """Wrap long lines, or keep one record per line and scroll sideways (the default:
        a screen holds a whole page of records)."""
        self.toggle_class("-wrap")

    def action_page(self, delta: int) -> None:
        """Ask for the next or previous page of the same search."""
        result = self._result()
        if not result:
            return
        page = int(result.get("page", 1)) + delta
        if page < 1 or page > int(result.get("pages", 1)):
            self.notify("No more pages that way.", timeout=2)
            return
        query = re.sub(r"\s+--page=\S+", "", str(result.get("query", "")))
        self.post_message(self.PageRequested(f"{query} --page={page}"))
