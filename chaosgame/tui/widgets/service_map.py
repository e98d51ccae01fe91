"""The service map: the call graph as an indented tree, health by symbol and colour; on a big
fleet, grouped by team, tier or region (the groups with trouble first, the healthy ones
folded) and filtered by name or to the unhealthy components only.

Grouping and filtering work on the map already read: they cost no simulated time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

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


GROUPINGS = ("tree", "team", "tier", "region")
"""How the map can be laid out: the call tree, or grouped by one of these."""
BIG_FLEET = 40
"""From this many components the map starts grouped by team, with the filter bar shown."""
TIERS = {
    "gateway": "edge",
    "dns": "edge",
    "service": "services",
    "worker": "services",
    "database": "data",
    "cache": "data",
    "queue": "data",
    "external": "third parties",
    "metrics_store": "observability",
    "log_pipeline": "observability",
    "trace_collector": "observability",
    "pager": "observability",
}
"""The tier of each component kind."""
SEVERITY = {"failing": 0, "degraded": 1, "unknown": 2, "ok": 3}
GROUP_ROWS = 40
"""The most components listed under one group (the worst first); the rest are counted on a
last row, for a filter to find."""


def group_of(component: Mapping[str, Any], grouping: str) -> str:
    """The group ``component`` falls in for ``grouping`` (team, tier or region)."""
    if grouping == "tier":
        return TIERS.get(str(component.get("kind")), "other")
    value = component.get(grouping)
    return str(value) if value else f"no {grouping}"


@dataclass(frozen=True)
class MapRow:
    """One row of the map: a component (``depth``, ``repeat`` in the tree), or a group's
    header (``group`` set, with its size and trouble)."""

    name: str
    depth: int = 0
    repeat: bool = False
    group: str | None = None
    size: int = 0
    failing: int = 0
    degraded: int = 0
    folded: bool = False
    more: int = 0
    """On a group's last row: how many of its components are not listed."""


def map_rows(
    result: Mapping[str, Any],
    grouping: str = "tree",
    text: str = "",
    unhealthy: bool = False,
    toggled: frozenset[str] = frozenset(),
) -> list[MapRow]:
    """The rows the map shows: in call order (``tree``) or by group, keeping components whose
    name contains every word of ``text`` and, with ``unhealthy``, only those not ok.

    Groups come worst first (failing, then degraded members), components inside a group
    likewise, then by name. A group whose members are all ok starts folded to its header
    (unless a filter is on: then every match is shown); one in ``toggled`` is the other way.
    """
    words = text.lower().split()
    by_name = {c["name"]: c for c in result["components"]}

    def keep(c: Mapping[str, Any]) -> bool:
        name = str(c["name"]).lower()
        return all(w in name for w in words) and (not unhealthy or c["health"] != "ok")

    if grouping not in GROUPINGS[1:]:
        if not words and not unhealthy:
            return [MapRow(n, d, r) for d, n, r in tree_order(result)]
        return [MapRow(n, d) for d, n, r in tree_order(result) if not r and keep(by_name[n])]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for c in result["components"]:
        if keep(c):
            groups.setdefault(group_of(c, grouping), []).append(c)
    filtering = bool(words) or unhealthy

    def trouble(members: list[Mapping[str, Any]]) -> tuple[int, int]:
        return (
            sum(m["health"] == "failing" for m in members),
            sum(m["health"] == "degraded" for m in members),
        )

    out: list[MapRow] = []
    for group, members in sorted(
        groups.items(), key=lambda g: (-trouble(g[1])[0], -trouble(g[1])[1], g[0])
    ):
        failing, degraded = trouble(members)
        healthy = all(m["health"] == "ok" for m in members)
        folded = (healthy and not filtering) != (group in toggled)
        out.append(
            MapRow(
                group,
                group=group,
                size=len(members),
                failing=failing,
                degraded=degraded,
                folded=folded,
            )
        )
        if not folded:
            members.sort(key=lambda m: (SEVERITY.get(str(m["health"]), 2), str(m["name"])))
            out += [MapRow(str(m["name"]), 1) for m in members[:GROUP_ROWS]]
            if len(members) > GROUP_ROWS:
                out.append(MapRow(group, 1, more=len(members) - GROUP_ROWS))
    return out


class ServiceMap(SteadyTable):
    """The last map the player read, one row per component (repeats shown dimmed), laid out
    as :func:`map_rows` says; enter on a group's header folds or unfolds it."""

    DEFAULT_CSS = """
    ServiceMap {
        height: 1fr;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    grouping: reactive[str] = reactive("tree")
    name_filter: reactive[str] = reactive("")
    unhealthy_only: reactive[bool] = reactive(False)

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
        self._toggled: set[str] = set()

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Rebuild the rows only when a new map was read."""
        result = snap.map if snap is not None else None
        if result is None or result is getattr(self, "_shown", None):
            return
        if getattr(self, "_shown", None) is None and len(result["components"]) >= BIG_FLEET:
            self.set_reactive(ServiceMap.grouping, "team")  # a big fleet starts grouped
        self._shown = result
        self._rebuild()

    def watch_grouping(self) -> None:
        """Lay the map out again."""
        self._rebuild()

    def watch_name_filter(self) -> None:
        """Filter the map again."""
        self._rebuild()

    def watch_unhealthy_only(self) -> None:
        """Filter the map again."""
        self._rebuild()

    @property
    def result(self) -> Mapping[str, Any] | None:
        """The map shown (the last one read), or None before the first."""
        shown = getattr(self, "_shown", None)
        return shown if isinstance(shown, Mapping) else None

    def _rebuild(self) -> None:
        result = self.result
        if result is None or not self.is_mounted:
            return
        by_name = {c["name"]: c for c in result["components"]}
        selected = self.selected_component() or self._selected_group()
        self.clear()
        rows = map_rows(
            result, self.grouping, self.name_filter, self.unhealthy_only, frozenset(self._toggled)
        )
        for row in rows:
            if row.group is not None:
                self.add_row(*self._header(row), key=f"group:{row.group}")
                continue
            if row.more:
                more = f"    … {row.more} more: n filters by name"
                self.add_row(Content(""), Content.styled(more, "$text-muted"), *[Content("")] * 4)
                continue
            c = by_name[row.name]
            word, style = HEALTH.get(c["health"], ("? ", ""))
            indent = "  " * min(row.depth, 6) + ("└ " if row.depth else "")
            if row.repeat:
                cells = [Content.styled(f"{indent}{row.name} ↑", "$text-muted")]
                self.add_row(Content(""), *cells, *[Content("")] * 4, key=None)
                continue
            self.add_row(
                Content.styled(word, style),
                Content.styled(f"{indent}{row.name}", style if c["health"] != "ok" else ""),
                Content(str(c["kind"])[:9]),
                Content("    n/a" if c["rps"] is None else f"{float(c['rps']):7.1f}"),
                Content.styled(
                    "    n/a" if c["errors"] is None else f"{float(c['errors']):7.2%}", style
                ),
                Content(f"{int(c['replicas']):>4}"),
                key=row.name,
            )
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected), animate=False)
        self.post_message(self.Shown(len(by_name), sum(r.group is None for r in rows)))

    @staticmethod
    def _header(row: MapRow) -> list[Content]:
        """A group's row: its worst health, name and size, and how many are in trouble."""
        if row.failing and row.degraded:
            trouble = f"{row.failing}✗ {row.degraded}▲"
        elif row.failing or row.degraded:
            trouble = f"{row.failing} fail" if row.failing else f"{row.degraded} deg"
        else:
            trouble = ""
        style = "bold $error" if row.failing else "bold $warning" if row.degraded else "bold"
        mark = "▸" if row.folded else "▾"
        word = HEALTH["failing" if row.failing else "degraded" if row.degraded else "ok"]
        return [
            Content.styled(word[0], word[1]),
            Content.assemble((f"{mark} {row.group}", style), (f" ({row.size})", "$text-muted")),
            Content.styled(trouble, style),
            Content(""),
            Content(""),
            Content(""),
        ]

    class Shown(Message):
        """The map was laid out again: ``shown`` of ``total`` components are listed."""

        def __init__(self, total: int, shown: int) -> None:
            super().__init__()
            self.total = total
            self.shown = shown

    def _selected_group(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
        return str(key) if key is not None and str(key).startswith("group:") else None

    def toggle_group(self) -> bool:
        """Fold or unfold the group under the cursor; False when the cursor is not on one."""
        key = self._selected_group()
        if key is None:
            return False
        self._toggled ^= {key.removeprefix("group:")}
        self._rebuild()
        return True

    def selected_component(self) -> str | None:
        """The component under the cursor (for queries and mitigations)."""
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        value = key.value
        return str(value) if value is not None and not str(value).startswith("group:") else None


class MapPanel(Vertical):
    """The service map under a bar that says how it is laid out and takes a name filter (the
    bar shows on a big fleet, or once the layout was changed)."""

    BINDINGS = [
        Binding("g", "group", "group map", show=False),
        Binding("u", "unhealthy", "unhealthy only", show=False),
        Binding("n", "find", "filter map", show=False),
    ]

    DEFAULT_CSS = """
    MapPanel {
        height: 1fr;
    }
    MapPanel > #map-bar {
        height: 1;
        display: none;
        padding: 0 1;
    }
    MapPanel.-bar > #map-bar {
        display: block;
    }
    MapPanel #map-state {
        width: 1fr;
    }
    MapPanel #map-filter {
        width: 22;
        height: 1;
        border: none;
        padding: 0 1;
        background: $surface;
    }
    MapPanel #map-filter:focus {
        background: $boost;
    }
    """

    def compose(self) -> ComposeResult:
        """The bar and the map."""
        with Horizontal(id="map-bar"):
            yield Static("", id="map-state")
            yield Input(placeholder="n: filter by name", id="map-filter")
        yield ServiceMap(id="map")

    @property
    def map(self) -> ServiceMap:
        """The map itself."""
        return self.query_one(ServiceMap)

    def action_group(self) -> None:
        """Lay the map out by the next grouping: call tree, team, tier, region."""
        m = self.map
        m.grouping = GROUPINGS[(GROUPINGS.index(m.grouping) + 1) % len(GROUPINGS)]

    def action_unhealthy(self) -> None:
        """Show only the components that are not ok, or all again."""
        self.map.unhealthy_only = not self.map.unhealthy_only

    def action_find(self) -> None:
        """Type part of a name to filter the map."""
        self.add_class("-bar")
        self.query_one("#map-filter", Input).focus()

    @on(Input.Changed, "#map-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.map.name_filter = event.value

    @on(Input.Submitted, "#map-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        event.stop()  # not a command for the console
        self.map.focus()

    @on(SteadyTable.RowSelected, "#map")
    def _selected(self, event: SteadyTable.RowSelected) -> None:
        if self.map.toggle_group():
            event.stop()

    @on(ServiceMap.Shown)
    def _shown(self, event: ServiceMap.Shown) -> None:
        m = self.map
        laid_out = m.grouping != "tree" or m.name_filter or m.unhealthy_only
        self.set_class(bool(event.total >= BIG_FLEET or laid_out), "-bar")
        filtered = m.unhealthy_only or m.name_filter.strip()
        parts = [f"{event.total} components" + (f", {event.shown} shown" if filtered else "")]
        parts.append("call tree" if m.grouping == "tree" else f"by {m.grouping}")
        if m.unhealthy_only:
            parts.append("unhealthy only")
        keys: list[str | tuple[str, str]] = []
        if not filtered:
            keys = ["  ", ("g", "bold $accent"), " group  ", ("u", "bold $accent")]
            keys += [" unhealthy  ", ("n", "bold $accent"), " name"]
        self.query_one("#map-state", Static).update(
            Content.assemble((" · ".join(parts), "$text-muted"), *keys)
        )
