"""The change and event timeline, with the player's own actions merged in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.reactive import reactive

from chaosgame.game.flow import Snapshot
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.tables import SteadyTable

KIND_STYLE = {
    "deploy": "$accent",
    "rollback": "$accent",
    "flag": "$secondary",
    "config": "$secondary",
    "oom": "bold $error",
    "restart": "$warning",
    "breaker": "$warning",
    "mitigation": "bold $success",
    "you": "bold $success",
    "due": "italic $warning",
}


def _seconds(clock: str) -> int:
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s


def clock_at(obs: Mapping[str, Any], t: float) -> str:
    """The wall-clock label of simulated second ``t``, from the observation's own clock."""
    if t < 0:
        return f"{format_duration(-t)} ago"
    now = _seconds(str(obs["clock"]))
    at = int(round(now - (float(obs["time"]) - t))) % 86400
    return f"{at // 3600:02d}:{at % 3600 // 60:02d}:{at % 60:02d}"


def timeline_rows(snap: Snapshot) -> list[tuple[float, str, str, str, str]]:
    """``(time, clock, kind, component, message)`` rows, oldest first.

    The player's own actions sit at the time they were asked (as the message line says), and
    each mitigation has a second row at the time it takes effect (``due`` while it is pending).
    """
    obs = snap.observation
    rows = [
        (
            float(e["time"]),
            clock_at(obs, float(e["time"])),
            str(e["kind"]),
            str(e.get("actor") or "") if e["kind"] == "message" else str(e["component"]),
            str(e["message"]),
        )
        for e in snap.events
    ]
    now = float(obs["time"])
    for entry in snap.path:
        if entry.label.startswith(("wait", "declare", "end")) or not entry.ok:
            continue
        t = snap.start_s + entry.elapsed_s
        if entry.effect_s is None:
            rows.append((t, entry.clock, "you", "", entry.label.removeprefix("query ")))
            continue
        effect = snap.clock_of(entry.effect_s)
        rows.append((t, entry.clock, "you", "", f"{entry.label} (asked)"))
        done = entry.effect_s <= now + 1e-9
        rows.append(
            (
                entry.effect_s,
                effect,
                "you" if done else "due",
                "",
                f"{entry.label} {'took' if done else 'takes'} effect",
            )
        )
    rows.sort(key=lambda r: r[0])
    return rows


class Timeline(SteadyTable):
    """Deploys, flags, config, restarts and mitigations as the player last read them."""

    DEFAULT_CSS = """
    Timeline {
        height: 1fr;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)

    def on_mount(self) -> None:
        """Set up the columns."""
        self.cursor_type = "row"
        self._shown: tuple[object, ...] | None = None
        self._columns(self.app.size.width)

    def _columns(self, width: int) -> None:
        """Fixed time, kind and component columns; what happened takes the rest of the width."""
        self.clear(columns=True)
        what = max(width - 8 - 10 - 14 - 10, 30)  # the others, cell padding and a scroll bar
        for label, w in (("time", 8), ("kind", 10), ("component", 14), ("what", what)):
            self.add_column(label, width=w, key=label)

    def on_resize(self) -> None:
        """Give the last column the width there is."""
        if self.size.width and self.size.width != getattr(self, "_width", 0):
            self._width = self.size.width
            self._columns(self.size.width)
            self._shown = None
            self.watch_snapshot(self.snapshot)

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Redraw when the events or the player's path changed."""
        if snap is None or not self.is_mounted:
            return
        key = (snap.events, snap.path, snap.observation["time"])
        if key == getattr(self, "_shown", None):
            return
        self._shown = key
        self.clear()
        rows = timeline_rows(snap)
        self._components = [comp.split(",")[0] for _, _, _, comp, _ in rows]
        for _, clock, kind, comp, message in rows:
            style = KIND_STYLE.get(kind, "")
            self.add_row(
                Content(clock),
                Content.styled(kind, style),
                Content(comp),
                Content.styled(message, "italic" if kind in ("you", "due") else ""),
            )
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def selected_component(self) -> str | None:
        """The component of the row under the cursor (the first, when an event names several)."""
        names = getattr(self, "_components", [])
        row = self.cursor_row
        return names[row] or None if 0 <= row < len(names) else None
