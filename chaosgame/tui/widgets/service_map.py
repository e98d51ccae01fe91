"""The service map: the call graph as an indented tree, health by symbol and colour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.reactive import reactive

from chaosgame.game.flow import Snapshot
from chaosgame.tui.widgets.tables import SteadyTable

HEALTH = {
    "ok": ("✓ ok", "$success"),
    "degraded": ("▲ deg", "$warning"),
    "failing": ("✗ FAIL", "bold $error"),
    "unknown": ("? n/a", "$text-muted"),
}
"""How each health reads: a symbol and a word first, colour second."""


def tree_order(result: Mapping[str, Any]) -> list[tuple[int, str, bool]]:
    """Components in call order as ``(depth, name, repeat)``: callers before callees.

    A component called from several places is listed in full once and then as a repeat.
    """
    names = [c["name"] for c in result["components"]]
    children: dict[str, list[str]] = {n: [] for n in names}
    has_caller: set[str] = set()
    for e in result.get("edges", []):
        if e["from"] in children:
            children[e["from"]].append(e["to"])
            has_caller.add(e["to"])
    out: list[tuple[int, str, bool]] = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen:
            out.append((depth, name, True))
            return
        seen.add(name)
        out.append((depth, name, False))
        for child in children.get(name, []):
            visit(child, depth + 1)

    for n in names:
        if n not in has_caller:
            visit(n, 0)
    for n in names:  # anything left (a cycle would be a bug upstream, but never lose a row)
        if n not in seen:
            visit(n, 0)
    return out


class ServiceMap(SteadyTable):
    """The last map the player read, one row per component (repeats shown dimmed)."""

    DEFAULT_CSS = """
    ServiceMap {
        height: 1fr;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)

    def on_mount(self) -> None:
        """Set up the columns."""
        self.cursor_type = "row"
        self.zebra_stripes = True
        for label, width in (
            ("health", 6),
            ("component", 22),
            ("kind", 9),
            ("rps", 7),
            ("errors", 7),
            ("pods", 4),
        ):
            self.add_column(label, width=width, key=label)
        self._shown: object = None

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Rebuild the rows only when a new map was read."""
        result = snap.map if snap is not None else None
        if result is None or result is getattr(self, "_shown", None):
            return
        self._shown = result
        by_name = {c["name"]: c for c in result["components"]}
        selected = self.selected_component()
        self.clear()
        for depth, name, repeat in tree_order(result):
            c = by_name[name]
            word, style = HEALTH.get(c["health"], ("? ", ""))
            indent = "  " * min(depth, 6) + ("└ " if depth else "")
            if repeat:
                row = [
                    Content(""),
                    Content.styled(f"{indent}{name} ↑", "$text-muted"),
                    Content(""),
                    Content(""),
                    Content(""),
                    Content(""),
                ]
            else:
                row = [
                    Content.styled(word, style),
                    Content.styled(f"{indent}{name}", style if c["health"] != "ok" else ""),
                    Content(str(c["kind"])[:9]),
                    Content("    n/a" if c["rps"] is None else f"{float(c['rps']):7.1f}"),
                    Content.styled(
                        "    n/a" if c["errors"] is None else f"{float(c['errors']):7.2%}", style
                    ),
                    Content(f"{int(c['replicas']):>4}"),
                ]
            self.add_row(*row, key=None if repeat else name)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected), animate=False)

    def selected_component(self) -> str | None:
        """The component under the cursor (for queries and mitigations)."""
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None
