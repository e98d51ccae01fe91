"""A typed query's answer that has no tab of its own (pods, alerts, help), as a table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

SKIP = ("kind", "query", "time", "clock")


def title_of(result: Mapping[str, Any]) -> str:
    """The query and when it was read."""
    return f"{result.get('query', '')}   (read at {result.get('clock', '')})"


def as_text(result: Mapping[str, Any]) -> str:
    """Lists of rows become aligned columns; everything else ``key: value``."""
    out: list[str] = []
    for key, value in result.items():
        if key in SKIP:
            continue
        if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
            cols = list(value[0])
            widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in value)) for c in cols}
            out.append("  ".join(c.ljust(widths[c]) for c in cols))
            for r in value:
                out.append("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols))
        elif isinstance(value, list):
            out.append(f"{key}:")
            out.extend(f"  {v}" for v in value)
        else:
            out.append(f"{key}: {value}")
    return "\n".join(out)


class ResultScreen(ModalScreen[None]):
    """Shows one answer, unwrapped (wide tables scroll sideways); esc closes it. The query and
    the answer are shown as text, never read as markup."""

    DEFAULT_CSS = """
    ResultScreen #result-body {
        height: auto;
        max-height: 65vh;
        overflow: auto auto;
    }
    ResultScreen #result-body > Static {
        width: auto;
        text-wrap: nowrap;
    }
    """
    BINDINGS = [Binding("escape,q,enter", "close", "close")]

    def __init__(self, result: Mapping[str, Any]) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        """The answer as text."""
        with Vertical(classes="dialog wide", id="result"):
            yield Label(Content(title_of(self.result)), classes="dialog-title")
            with ScrollableContainer(id="result-body"):
                yield Static(Content(as_text(self.result)))
            yield Static("esc closes · arrows scroll", classes="dialog-detail")

    def on_mount(self) -> None:
        """Arrows scroll the answer."""
        self.query_one("#result-body").focus()

    def action_close(self) -> None:
        """Back to the console."""
        self.dismiss(None)
