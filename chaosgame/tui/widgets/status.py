"""The always-visible bar (clock, time left, pages, next cost), the alerts and the SLO gauges."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from chaosgame.game.flow import Snapshot
from chaosgame.game.menu import status_due
from chaosgame.scenario.units import format_duration
from chaosgame.tui.widgets.text import Parts


def _dur(seconds: float) -> str:
    return format_duration(round(seconds)) if seconds >= 1 else "0s"


class StatusBar(Widget):
    """Game clock, time on call and left, pages firing, real-time mode and the next cost."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    next_cost: reactive[str] = reactive("")
    busy: reactive[bool] = reactive(False)
    realtime: reactive[float] = reactive(0.0)

    def render(self) -> Content:
        """One line: the game's pulse. When it does not fit, the compact form drops the time
        on call and shortens the rest, so the next costs still show whole."""
        snap = self.snapshot
        if snap is None:
            return Content("")
        wide = self._parts(snap, compact=False)
        if sum(len(text) for text, _ in wide) <= self.size.width or not self.size.width:
            return Content.assemble(*wide)
        return Content.assemble(*self._parts(snap, compact=True))

    def _parts(self, snap: Snapshot, *, compact: bool) -> list[tuple[str, str]]:
        obs = snap.observation
        pages = len(obs.get("alerts", []))
        left = float(obs.get("remaining_s", 0))
        parts = [(f" ⏱ {obs.get('clock', '')} ", "bold reverse")]
        if not compact:
            parts.append((f" +{_dur(float(obs.get('elapsed_s', 0)))} on call ", ""))
        parts.append((f" {_dur(left)} left ", "bold $warning" if left < 300 else ""))
        page_style = "bold $error" if pages else "$success"
        parts.append((f" ◆ {pages} page{'s' if pages != 1 else ''} ", page_style))
        if self.realtime > 0:
            parts.append(
                (
                    f" ▶ x{self.realtime:g} " if compact else f" ▶ real time x{self.realtime:g} ",
                    "bold $accent",
                )
            )
        if self.busy:
            parts.append((" … working ", "italic"))
            if compact:
                return parts
        if self.next_cost:
            parts.append(
                (f" {self.next_cost}" if compact else f" next: {self.next_cost}", "$text-muted")
            )
        return parts


def _bar(share: float, width: int) -> tuple[str, str]:
    share = min(max(share, 0.0), 1.0)
    full = round(share * width)
    return "█" * full, "░" * (width - full)


def slo_lines(slos: list[dict[str, Any]], width: int) -> Content:
    """Each SLO: name, SLI now, burn rates and a gauge of the error budget burned."""
    out = Parts()
    bar_w = max(width - 64, 6)
    for s in slos:
        if s.get("burn_5m") is None or s.get("budget_burned") is None:
            out.add("? ", "$text-muted")
            out.add(f"{s['journey']} {s['sli']}"[:22].ljust(22))
            out.add(f"  n/a  {s.get('note') or 'not measured'}", "$text-muted").line()
            continue
        burn = float(s["burn_5m"])
        mark, style = (
            ("✗", "$error")
            if burn >= 14.4
            else ("▲", "$warning")
            if burn >= 1
            else ("✓", "$success")
        )
        used = float(s["budget_burned"])
        full, empty = _bar(used, bar_w)
        sli = s.get("sli_5m")
        out.add(f"{mark} ", style)
        out.add(f"{s['journey']} {s['sli']}"[:22].ljust(22))
        out.add("     n/a" if sli is None else f" {float(sli):7.2%}", style)
        out.add(f" {burn:6.1f}x", f"bold {style}")
        burn_1h = s.get("burn_1h")
        out.add(" 1h   n/a  " if burn_1h is None else f" 1h {float(burn_1h):5.1f}x ")
        out.add(full, style)
        out.add(empty, "$text-muted")
        out.add(f" {used:.1%}").line()
    return out.content()


class SloGauge(Widget):
    """SLOs with the SLI over 5 minutes, burn rates and the error budget burned so far."""

    DEFAULT_CSS = """
    SloGauge {
        height: auto;
        min-height: 1;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)

    def render(self) -> Content:
        """The gauges, one line per SLO."""
        if self.snapshot is None:
            return Content("")
        header = Content.styled(
            f"  {'SLO':<22} {'SLI 5m':>7} {'burn 5m':>7}  {'1h':>6}  budget burned\n", "bold"
        )
        slos = list(self.snapshot.observation.get("slos", []))
        return header + slo_lines(slos, self.size.width)


class AlertList(Widget):
    """Pages firing now, and mitigations waiting to act."""

    DEFAULT_CSS = """
    AlertList {
        height: auto;
        min-height: 1;
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)

    def render(self) -> Content:
        """One line per page, then one per pending mitigation."""
        out = Parts()
        snap = self.snapshot
        if snap is None:
            return out.content()
        alerts = snap.observation.get("alerts", [])
        if not alerts:
            out.add("✓ no page firing", "$success")
        for a in alerts:
            out.add(f"✗ PAGE {a['name']}", "bold $error")
            out.add(f"  {a['summary']}").line()
        for p in snap.observation.get("pending_mitigations", []):
            when = snap.clock_of(float(p["takes_effect_at"]))
            out.add(f"… pending: {p['action']} {p['target']}, takes effect at {when}", "$warning")
            out.line()
        for r in snap.observation.get("requests", []):
            out.add(f"… {r['party']}: {r['ask']} ({r['state']})", "$warning").line()
        for pipe in snap.observation.get("pipelines", []):
            if pipe["state"] == "paused":
                out.add(f"‖ pipeline {pipe['name']} paused").line()
        board = snap.observation.get("status_page")
        if board is not None:
            due = status_due(board, float(snap.observation["time"]))
            late = "overdue" in due
            out.add(f"{'!' if late else '·'} {due}", "$error" if late else "").line()
        return out.content()
