"""The incident console: alerts, SLOs, the service map, charts, logs, traces, timeline, notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea

from chaosgame.game.commands import parse_command
from chaosgame.game.flow import Snapshot
from chaosgame.game.menu import HANDS_ON_S, VIEW_COSTS, Command, cost_text
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.tui.screens.dialogs import (
    ActionDialog,
    ConfirmDialog,
    DeclareDialog,
    ThinkDialog,
)
from chaosgame.tui.widgets.charts import Charts
from chaosgame.tui.widgets.footer import KeyFooter
from chaosgame.tui.widgets.logs import LogExplorer, log_query, trace_query
from chaosgame.tui.widgets.service_map import MapPanel, ServiceMap
from chaosgame.tui.widgets.status import AlertList, SloGauge, StatusBar
from chaosgame.tui.widgets.timeline import Timeline
from chaosgame.tui.widgets.traces import TraceView

if TYPE_CHECKING:
    from chaosgame.tui.app import ChaosApp

TABS = ("overview", "metrics", "logs", "traces", "timeline", "notes")

HINTS = {
    "overview": f"r map {cost_text(VIEW_COSTS['map'])} · m chart {cost_text(VIEW_COSTS['metric'])} · "
    f"a act {cost_text(HANDS_ON_S)}+delay",
    "metrics": f"/ chart {cost_text(VIEW_COSTS['metric'])}",
    "logs": "/ search logs",
    "traces": "/ find traces",
    "timeline": f"r events {cost_text(VIEW_COSTS['events'])}",
    "notes": "notes are free",
}

PLACEHOLDERS = {
    "overview": "map · slo · changes · metric COMP [METRIC] · do ACTION TARGET · wait 2m",
    "metrics": "COMPONENT [METRIC] [WINDOW]   e.g. payments errors 15m",
    "logs": 'COMPONENT words, or LogQL: {service="checkout"} |= "timeout"',
    "traces": "a component (checkout), or: traces service=checkout status=error",
    "timeline": "a component to filter events (empty: all)",
}


def named_in(query: str, components: set[str]) -> str | None:
    """The component a query is about: ``service="x"``, ``service=x``, or a component's name."""
    import re

    for name in re.findall(r'(?:service|component)\s*=~?\s*"?([\w.-]+)', query):
        if name in components:
            return str(name)
    return next((w for w in re.findall(r"[\w.-]+", query) if w in components), None)


class ConsoleScreen(Screen[None]):
    """Where the incident is worked. Widgets render the app's snapshot; keys send actions."""

    BINDINGS = [
        Binding("slash", "query", "query", key_display="/"),
        Binding("a", "mitigate", "act"),
        Binding("d", "declare", "declare"),
        Binding("w", "wait", "wait 1m"),
        Binding("t", "skip", "next step", show=False),
        Binding("e", "end", "end"),
        Binding("s", "think", "think aloud"),
        Binding("r", "refresh", "refresh", show=False),
        Binding("m", "chart('errors')", "chart errors", show=False),
        Binding("l", "chart('latency_p99')", "chart p99", show=False),
        Binding("f", "profile", "CPU profile", show=False),
        Binding("p", "app.toggle_realtime", "real time", show=False),
        Binding("escape", "back", "back", show=False),
        *[Binding(str(n + 1), f"tab('{t}')", t, show=False) for n, t in enumerate(TABS)],
    ]

    def compose(self) -> ComposeResult:
        """The status bar, six tabs, the message line and the footer."""
        yield StatusBar()
        with TabbedContent(id="tabs"):
            with TabPane("1 overview", id="overview"):
                yield Input(placeholder=PLACEHOLDERS["overview"], id="q-overview")
                yield AlertList()
                yield SloGauge()
                yield MapPanel()
            with TabPane("2 metrics", id="metrics"):
                yield Input(placeholder=PLACEHOLDERS["metrics"], id="q-metrics")
                yield Charts(id="charts")
            with TabPane("3 logs", id="logs"):
                yield Input(placeholder=PLACEHOLDERS["logs"], id="q-logs")
                yield LogExplorer(id="log-explorer")
            with TabPane("4 traces", id="traces"):
                yield Input(placeholder=PLACEHOLDERS["traces"], id="q-traces")
                yield TraceView(id="trace-view")
            with TabPane("5 timeline", id="timeline"):
                yield Input(placeholder=PLACEHOLDERS["timeline"], id="q-timeline")
                yield Timeline(id="events")
            with TabPane("6 notes", id="notes"):
                yield TextArea(id="notes-text")
        yield Static("", id="message")
        yield KeyFooter()

    @property
    def chaos(self) -> ChaosApp:
        """The app, typed."""
        return cast("ChaosApp", self.app)

    def on_mount(self) -> None:
        """Follow the app's snapshot; pace real time; start on the map."""
        snap = self.chaos.snapshot
        if snap is not None:
            self.query_one("#notes-text", TextArea).text = snap.notes
        self.watch(self.app, "snapshot", self._show)
        self.watch(self.app, "busy", self._busy)
        self.watch(self.app, "realtime_speed", self._realtime)
        self.set_interval(1.0, self._realtime_tick)
        self.query_one("#map", ServiceMap).focus()
        self._hint()
        self.call_after_refresh(self.chaos.settle_memory)  # once drawn: no pause is seen

    # -------------------------------------------------------------- render
    def _show(self, snap: Snapshot | None) -> None:
        if snap is None:
            return
        for widget in self.query("StatusBar, AlertList, SloGauge, ServiceMap, Charts, Timeline"):
            widget.snapshot = snap  # type: ignore[attr-defined]
        for widget in self.query("LogExplorer, TraceView"):
            widget.snapshot = snap  # type: ignore[attr-defined]
        if snap.other is not None and snap.other is not getattr(self, "_other", None):
            from chaosgame.tui.screens.result import ResultScreen

            self._other = snap.other
            self.app.push_screen(ResultScreen(snap.other))
        message = self.query_one("#message", Static)
        message.update(Content.styled(snap.message, "bold $error" if snap.error else "$text-muted"))

    def _busy(self, busy: bool) -> None:
        self.query_one(StatusBar).busy = busy

    def _realtime(self, speed: float) -> None:
        self.query_one(StatusBar).realtime = speed

    def _hint(self) -> None:
        tab = self.query_one(TabbedContent).active or "overview"
        self.query_one(StatusBar).next_cost = HINTS.get(tab, "")

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self._hint()

    # ------------------------------------------------------------- actions
    def _send(self, action: dict[str, Any]) -> None:
        self.chaos.request(action)

    def _selected(self) -> str | None:
        """The component the player is looking at: the row under the cursor on the map or the
        timeline, or the component of this tab's chart, log search or trace search; the map's
        row when the tab names none."""
        tab = self.query_one(TabbedContent).active or "overview"
        snap = self.chaos.snapshot
        found: str | None = None
        if snap is not None:
            comps = set(snap.components)
            if tab == "timeline":
                found = self.query_one(Timeline).selected_component()
            elif tab == "metrics" and snap.charts:
                action = snap.charts[-1].action
                found = str(action.get("component") or "") or named_in(str(action.get("q")), comps)
            elif tab == "logs" and snap.logs is not None:
                found = named_in(str(snap.logs.get("query", "")), comps)
            elif tab == "traces" and snap.traces is not None:
                found = named_in(str(snap.traces.get("query", "")), comps)
            if found is not None and found not in comps:
                found = None
        return found or self.query_one("#map", ServiceMap).selected_component()

    def action_tab(self, tab: str) -> None:
        """Switch to a tab (its main view gets the focus)."""
        self.query_one(TabbedContent).active = tab
        self._focus_main(tab)

    def _focus_main(self, tab: str) -> None:
        main = {
            "overview": "#map",
            "metrics": "#charts",
            "logs": "#log-explorer",
            "traces": "#trace-view",
            "timeline": "#events",
            "notes": "#notes-text",
        }[tab]
        widget = self.query_one(main)
        if isinstance(widget, TraceView):
            widget.focus_main()
        else:
            widget.focus()

    def action_query(self) -> None:
        """Focus the query field of this tab."""
        tab = self.query_one(TabbedContent).active or "overview"
        if tab == "notes":
            self.query_one("#notes-text").focus()
            return
        self.query_one(f"#q-{tab}", Input).focus()

    def action_back(self) -> None:
        """Leave a field for the tab's main view."""
        self._focus_main(self.query_one(TabbedContent).active or "overview")

    def action_refresh(self) -> None:
        """Read this tab's view again (at its cost)."""
        tab = self.query_one(TabbedContent).active
        snap = self.chaos.snapshot
        if tab == "timeline":
            self._send({"type": "query", "view": "events", "window": 7200.0})
        elif tab == "metrics" and snap is not None and snap.charts:
            self._send(dict(snap.charts[-1].action))
        else:
            self._send({"type": "query", "view": "map"})

    def action_chart(self, metric: str) -> None:
        """Chart a metric of the component under the map's cursor."""
        comp = self._selected()
        if comp is None:
            self.notify("Read the map first (r), then pick a component.", timeout=3)
            return
        self._send({"type": "query", "view": "metric", "component": comp, "metric": metric})

    def action_profile(self) -> None:
        """Read the CPU profile of the component under the cursor (at the query's cost)."""
        comp = self._selected()
        if comp is None:
            self.notify("Read the map first (r), then pick a component.", timeout=3)
            return
        self._send({"type": "query", "q": f"profile {comp}"})

    def action_wait(self) -> None:
        """Let a minute pass."""
        self._send({"type": "wait", "seconds": 60.0})

    def action_skip(self) -> None:
        """Skip until the next action under way takes effect (a long recovery)."""
        self._send({"type": "wait", "until": "next"})

    def action_mitigate(self, name: str | None = None) -> None:
        """Choose a mitigation in a dialog, confirm it if risky, then send it."""
        snap = self.chaos.snapshot
        comps = snap.components if snap else []
        briefing = snap.briefing if snap else None
        self.app.push_screen(
            ActionDialog(comps, name, self._selected(), briefing), self._mitigation_chosen
        )

    def _mitigation_chosen(self, action: dict[str, Any] | None) -> None:
        if action is not None:
            self.confirm_and_send(action)

    def confirm_and_send(self, action: dict[str, Any]) -> None:
        """Send ``action``, asking first when the catalogue marks it risky."""
        info = (
            MITIGATIONS.get(str(action.get("action"))) if action.get("type") == "mitigate" else None
        )
        if info is None or not info.risky:
            self._send(action)
            return
        question = f"{info.action} {action.get('target')}: this is risky. Go ahead?"
        detail = (
            f"{info.summary}.\nIt costs {cost_text(HANDS_ON_S)} of your time and takes effect "
            f"{cost_text(info.delay_s)} after you ask."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(action)
            else:
                self.notify("Not done.", timeout=2)

        self.app.push_screen(ConfirmDialog(question, detail), answered)

    def action_declare(self) -> None:
        """Declare the root cause in a dialog."""
        snap = self.chaos.snapshot
        comps = snap.components if snap else []
        artefacts = snap.artefacts if snap else []

        def declared(action: dict[str, Any] | None) -> None:
            if action is not None:
                self._send(action)

        self.app.push_screen(DeclareDialog(comps, artefacts), declared)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Thinking aloud is for a game on a classroom server (it has a host to read it)."""
        if action == "think":
            game = self.chaos.game
            return game is not None and hasattr(game.view, "think")
        return True

    def action_think(self) -> None:
        """Type a think-aloud note for the host (a round on a classroom server only)."""

        def typed(text: str | None) -> None:
            if text:
                self._think(text)

        self.app.push_screen(ThinkDialog(), typed)

    @work(thread=True, group="think")
    def _think(self, text: str) -> None:
        game = self.chaos.game
        think = getattr(game.view, "think", None) if game is not None else None
        if think is None:
            return
        try:
            think(text)
        except Exception as exc:  # a note refused or lost is a message, never a crash
            self.app.call_from_thread(
                self.app.notify,
                f"Not sent to the host: {exc}",
                severity="error",
                markup=False,
            )
            return
        self.app.call_from_thread(self.app.notify, "Noted for the host.", timeout=3)

    def action_end(self) -> None:
        """End the game (after a confirmation) and read the debrief."""

        def answered(yes: bool | None) -> None:
            if yes:
                self._send({"type": "end"})

        self.app.push_screen(
            ConfirmDialog("End the game and read the debrief?", "You cannot act after this."),
            answered,
        )

    def run_command(self, cmd: Command) -> None:
        """Carry out a command chosen in the palette."""
        if cmd.action is not None:
            self.confirm_and_send(dict(cmd.action))
        elif cmd.verb.startswith("mitigate"):
            _, _, name = cmd.verb.partition(":")
            self.action_mitigate(name or None)
        elif cmd.verb == "declare":
            self.action_declare()
        elif cmd.verb == "end":
            self.action_end()
        elif cmd.verb == "help":
            self.chaos.action_help()
        elif cmd.verb == "theme":
            self.chaos.action_toggle_theme()
        elif cmd.verb == "realtime":
            self.chaos.action_toggle_realtime()

    # -------------------------------------------------------------- inputs
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        tab = (event.input.id or "q-overview").removeprefix("q-")
        text = event.value.strip()
        action = self._parse(tab, text)
        if action is None:
            return
        event.input.value = ""
        self._focus_main(tab)
        self.confirm_and_send(action)

    def _parse(self, tab: str, text: str) -> dict[str, Any] | None:
        """Turn what was typed in a tab's field into an action, or say what is wrong."""
        snap = self.chaos.snapshot
        comps = set(snap.components) if snap else set()
        words = text.split()
        try:
            if tab == "timeline":
                return parse_command(f"events {text}")  # type: ignore[return-value]
            if not text:
                return None
            if tab == "logs":
                return {"type": "query", "q": log_query(text, comps)}
            if tab == "traces":
                return {"type": "query", "q": trace_query(text)}
            if tab == "metrics":
                structured = len(words) > 1 or words[0] in comps
                if structured and not any(ch in text for ch in "{("):
                    return parse_command(f"metric {text}")  # type: ignore[return-value]
                return {"type": "query", "q": text}
            try:
                parsed = parse_command(text)
            except ValueError as exc:
                if str(exc).startswith("unknown command"):
                    return {"type": "query", "q": text}
                raise
        except ValueError as exc:
            self._say(str(exc))
            return None
        if isinstance(parsed, str):
            if parsed in ("help", "?"):
                self.chaos.action_help()
            elif parsed in ("quit", "exit"):
                self.action_end()
            return None
        return parsed

    def _say(self, text: str) -> None:
        self.query_one("#message", Static).update(Content.styled(text, "bold $error"))
        self.app.bell()

    @on(LogExplorer.PageRequested)
    def _log_page(self, event: LogExplorer.PageRequested) -> None:
        self._send({"type": "query", "q": event.query})

    @on(TraceView.TraceRequested)
    def _open_trace(self, event: TraceView.TraceRequested) -> None:
        self._send({"type": "query", "q": f"trace {event.trace_id}"})

    @on(TextArea.Changed, "#notes-text")
    def _notes(self, event: TextArea.Changed) -> None:
        self.chaos.save_notes(event.text_area.text)

    # ----------------------------------------------------------- real time
    def _realtime_tick(self) -> None:
        speed = self.chaos.realtime_speed
        if speed <= 0 or self.chaos.busy or self.app.screen is not self:
            return
        self._send({"type": "wait", "seconds": float(speed)})
