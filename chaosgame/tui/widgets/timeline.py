"""The change and event timeline, with the player's own actions merged in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import DataTable

from chaosgame.game.flow import Snapshot
from chaosgame.scenario.units import format_duration

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
    """``(time, clock, kind, component, message)`` rows, oldest first."""
    obs = snap.observation
    rows = [
        (
            float(e["time"]),
            clock_at(obs, float(e["time"])),
            str(e["kind"]),
            str(e["component"]),
            str(e["message"]),
        )
        for e in snap.events
    ]
    start = float(obs["time"]) - float(obs["elapsed_s"])
    for entry in snap.path:
        if entry.label.startswith(("wait", "declare", "end")) or not entry.ok:
            continue
        t = start + entry.elapsed_s
        rows.append((t, entry.clock, "you", "", entry.label))
    rows.sort(key=lambda r: r[0])
    return rows


class Timeline(DataTable[Content]):
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
        for label, width in (("time", 9), ("kind", 10), ("component", 16), ("what", 60)):
            self.add_column(label, width=width, key=label)
        self._shown: tuple[object, object] | None = None

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        """Redraw when the events or the player's path changed."""
        if snap is None:
            return
        key = (snap.events, snap.path)
        if key == getattr(self, "_shown", None):
            return
        self._shown = key
        self.clear()
        for _, clock, kind, comp, message in timeline_rows(snap):
            style = KIND_STYLE.get(kind, "")
            self.add_row(
                Content(clock),
                Content.styled(kind, style),
                Content(comp),
                Content.styled(message, "italic" if kind == "you" else ""),
            )
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
