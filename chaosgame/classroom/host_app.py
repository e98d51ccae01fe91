"""The instructor console: a Textual app on a classroom server's ``/ws/host``
(``docs/classroom.md``, "The instructor console").

It shows the leaderboard (read again every few seconds), the selected player's timeline and
the round's log as it grows, and sends what the host decides: hints with their penalty,
notes, pause and resume, the end of the round, the reveal, and exports of the grades. A lost
connection is retried with back-off while the last board stays on screen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Input, RichLog, Static

from chaosgame.classroom.host_link import BACKOFF_S, HostError, HostLink, LinkDown
from chaosgame.classroom.host_view import (
    COLUMNS,
    COMMANDS,
    DEFAULT_PENALTY,
    INJECT_FORMS,
    Command,
    CommandError,
    cells,
    clock_text,
    describe,
    event_text,
    parse_command,
    sort_rows,
    step_text,
)
from chaosgame.tui.screens.dialogs import ConfirmDialog

__all__ = ["HostConsole", "REFRESH_S"]

REFRESH_S = 3.0
"""Seconds between two readings of the standings."""
STATES = {
    "open": ("clock running", "green"),
    "paused": ("PAUSED", "yellow"),
    "ended": ("ended: r reveals the debrief", "red"),
    "revealed": ("debrief revealed", "magenta"),
}
"""A round's state as the top line shows it."""


class HostConsole(App[None]):
    """The host's view of one round, over a :class:`~.host_link.HostLink`."""

    CSS_PATH = "host_app.tcss"
    TITLE = "chaosgame instructor console"
    BINDINGS = [
        Binding("h", "hint", "hint"),
        Binding("n", "note", "note"),
        Binding("i", "inject", "event"),
        Binding("p", "pause", "pause/resume"),
        Binding("e", "end", "end"),
        Binding("r", "reveal", "reveal"),
        Binding("x", "export", "export"),
        Binding("s", "sort", "sort"),
        Binding("S", "reverse", "reverse order", show=False),
        Binding("colon", "command", "command"),
        Binding("escape", "leave", "leave the command line", show=False),
        Binding("q", "quit_console", "quit"),
    ]

    state: reactive[str] = reactive("connecting")
    players: reactive[tuple[dict[str, Any], ...]] = reactive((), always_update=True)
    sort_key: reactive[str] = reactive("score")
    sort_reverse: reactive[bool] = reactive(False)
    selected: reactive[str | None] = reactive(None)

    class Connected(Message):
        """The server took us as the round's host."""

        def __init__(self, hosting: dict[str, Any]) -> None:
            super().__init__()
            self.hosting = hosting

    class Disconnected(Message):
        """The connection failed or was lost; another attempt follows."""

        def __init__(self, reason: str, retry_in: float) -> None:
            super().__init__()
            self.reason = reason
            self.retry_in = retry_in

    class Refused(Message):
        """The server will not have us as the host (wrong code or token)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class EventHeard(Message):
        """A line of the round's log (pushed, or read after connecting)."""

        def __init__(self, event: dict[str, Any]) -> None:
            super().__init__()
            self.event = event

    def __init__(
        self,
        address: str,
        code: str,
        token: str,
        *,
        export_dir: Path | str | None = None,
        refresh_s: float = REFRESH_S,
        backoff: Sequence[float] = BACKOFF_S,
        owns_server: bool = False,
        intro: Sequence[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.link = HostLink(address, code, token, backoff=backoff)
        self.address = address
        self.code = self.link.code
        self.export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        self.refresh_s = refresh_s
        self.owns_server = owns_server
        self.intro = tuple(intro)
        self._clock = clock
        self.round_title = ""
        self.fetched_at: float | None = None
        self.steps: list[dict[str, Any]] = []
        self.heard: set[int] = set()
        self.said: list[str] = []
        """Every line the round log panel showed, oldest first."""
        self.was_up = False
        self.interview: Any = None
        """The interview screen, when the round is an interview (``interview_app``)."""
        self._reading = False
        self.top = Static(id="round", markup=False)
        self.link_line = Static(f"Connecting to {address}...", id="link", markup=False)
        self.board = DataTable[str](id="board", cursor_type="row")
        self.timeline = RichLog(id="timeline", wrap=True, markup=False, min_width=20)
        self.events = RichLog(id="events", wrap=True, markup=False, min_width=20)
        self.command = Input(
            placeholder="h hint, n note, : a command ('help' lists them)",
            id="command",
            select_on_focus=False,
        )

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        """Top line, connection line, leaderboard, timeline beside the log, command line."""
        yield self.top
        yield self.link_line
        yield self.board
        with Horizontal(id="lower"):
            yield self.timeline
            yield self.events
        yield self.command
        yield Footer()

    def on_mount(self) -> None:
        """Columns, the intro lines, the link and the clock of refreshes."""
        board = self.board
        for column in COLUMNS:
            board.add_column(column.label, width=column.width, key=column.key)
        self.events.border_title = "Round log"
        for line in self.intro:
            self.say(line)
        self._show_round()
        self._show_sort()
        self._show_timeline()
        board.focus()
        self.run_link()
        self.set_interval(self.refresh_s, self.read_board)

    # ---------------------------------------------------------------- the link
    @work(exclusive=True, group="link")
    async def run_link(self) -> None:
        """Keep the connection up for as long as the console runs."""
        await self.link.run(self)

    def link_up(self, hosting: dict[str, Any]) -> None:
        self.post_message(self.Connected(hosting))

    def link_down(self, reason: str, retry_in: float) -> None:
        self.post_message(self.Disconnected(reason, retry_in))

    def link_refused(self, reason: str) -> None:
        self.post_message(self.Refused(reason))

    def link_event(self, event: dict[str, Any]) -> None:
        self.post_message(self.EventHeard(event))

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        hosting = message.hosting
        if hosting.get("mode") == "interview" and self.interview is None:
            from chaosgame.classroom.interview_app import open_interview

            self.interview = open_interview(self)
        self.round_title = str(hosting.get("title", ""))
        self.state = str(hosting.get("state", "open"))
        self._link_line(f"Connected as the host; the board is read every {self.refresh_s:g} s")
        if self.was_up:
            self.say("Connected again.")
        self.was_up = True
        self.read_log()
        self.read_board()

    @on(Disconnected)
    def _disconnected(self, message: Disconnected) -> None:
        known = (
            f"; the board shows what was known at {clock_text(self.fetched_at)}"
            if self.fetched_at is not None
            else ""
        )
        self._link_line(
            f"No connection to {self.address}: {message.reason}. "
            f"Trying again in {message.retry_in:g} s{known}.",
            "-down",
        )

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._link_line(
            f"The server refused this console: {message.reason}. Check the round code and the "
            "host token, then open the console again.",
            "-refused",
        )

    @on(EventHeard)
    def _event_heard(self, message: EventHeard) -> None:
        self._hear(message.event)

    def _hear(self, event: dict[str, Any]) -> None:
        seq = event.get("seq")
        if isinstance(seq, int):
            if seq in self.heard:
                return
            self.heard.add(seq)
        if self.interview is not None:
            self.interview.hear(event)
        kind = event.get("kind")
        self.say(event_text(event), echo=False)
        if kind in STATES:
            self.state = str(kind)
            self.read_board()

    def _link_line(self, text: str, kind: str = "") -> None:
        line = self.link_line
        line.update(text)
        line.set_class(kind == "-down", "-down")
        line.set_class(kind == "-refused", "-refused")
        if self.interview is not None:
            self.interview.show_link(text, kind)

    def say(self, text: str, error: bool = False, echo: bool = True) -> None:
        """A line in the round log panel (the host's own messages and the round's events);
        ``echo``: on the interview screen's message lines too (its timeline has the events)."""
        self.said.append(text)
        line = Text(text, style="bold red" if error else "")
        self.events.write(line)
        if echo and self.interview is not None:
            self.interview.say(text, error)

    # ---------------------------------------------------------------- reading
    @work(group="read")
    async def read_log(self) -> None:
        """Lines of the round's log not heard yet (on connecting: what happened before)."""
        try:
            got = await self.link.ask("log", after=0)
        except (LinkDown, HostError):
            return
        for event in got["log"]:
            self._hear(event)

    @work(group="read")
    async def read_board(self) -> None:
        """The standings, and the selected player's timeline."""
        if self._reading or not self.link.connected:
            return
        self._reading = True
        try:
            got = await self.link.ask("standings")
            self.state = str(got["state"])
            self.players = tuple(got["players"])
            self.fetched_at = self._clock()
            await self._read_timeline()
        except LinkDown:
            return  # Disconnected says so
        except HostError as exc:
            self.say(f"Could not read the standings: {exc.message}", error=True)
        finally:
            self._reading = False

    async def _read_timeline(self) -> None:
        name = self.selected
        if name is None:
            self.steps = []
        else:
            got = await self.link.ask("timeline", name=name)
            if name != self.selected:
                return
            self.steps = list(got["timeline"])
        self._show_timeline()

    @work(exclusive=True, group="timeline")
    async def read_timeline(self) -> None:
        """The selected player's timeline now (the cursor moved)."""
        try:
            await self._read_timeline()
        except (LinkDown, HostError):
            return

    # ---------------------------------------------------------------- showing
    def watch_state(self) -> None:
        self._show_round()

    def watch_players(self) -> None:
        self._show_board()
        self._show_round()

    def watch_sort_key(self) -> None:
        self._show_board()
        self._show_sort()

    def watch_sort_reverse(self) -> None:
        self._show_board()
        self._show_sort()

    def watch_selected(self) -> None:
        self._show_timeline()
        self.read_timeline()

    def _show_round(self) -> None:
        label, colour = STATES.get(self.state, (self.state, "white"))
        playing = sum(1 for p in self.players if p.get("status") != "ended")
        line = Text.assemble(
            (f"Round {self.code}", "bold"),
            "  ",
            (label, f"bold {colour}"),
            f"  {len(self.players)} players, {playing} playing  ",
            (self.round_title, "italic"),
        )
        line.truncate(max(self.size.width - 2, 20), overflow="ellipsis")
        self.top.update(line)

    def _show_sort(self) -> None:
        label = next(c.label for c in COLUMNS if c.key == self.sort_key)
        way = ", reversed" if self.sort_reverse else ""
        board = self.board
        board.border_title = f"Leaderboard (by {label.lower()}{way}: s, S)"

    def _show_board(self) -> None:
        board = self.board
        rows = sort_rows(list(self.players), self.sort_key, self.sort_reverse)
        keep = self.selected
        board.clear()
        for row in rows:
            board.add_row(*cells(row), key=str(row["name"]))
        names = [str(r["name"]) for r in rows]
        if keep in names:
            board.move_cursor(row=names.index(keep), animate=False)
        elif names:
            self.selected = names[0]

    def _show_timeline(self) -> None:
        log = self.timeline
        log.clear()
        for step in self.steps:
            row = Table.grid(padding=(0, 1), expand=True)
            row.add_column(width=8, no_wrap=True, style="dim")
            row.add_column(ratio=1)
            row.add_row(clock_text(step.get("at")), step_text(step["request"]))
            log.write(row)
        who = self.selected
        log.border_title = f"Timeline: {who} ({len(self.steps)} requests)" if who else "Timeline"

    @on(DataTable.RowHighlighted, "#board")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.selected = event.row_key.value

    @on(DataTable.HeaderSelected, "#board")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def _sort_by(self, key: str) -> None:
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False

    # ---------------------------------------------------------------- the host's actions
    def _prompt(self, text: str) -> None:
        command = self.command
        command.value = text
        command.cursor_position = len(text)
        command.focus()

    def action_hint(self) -> None:
        """Write a hint on the command line (its penalty first; change it or leave it)."""
        self._prompt(f"hint -p {DEFAULT_PENALTY:g} ")

    def action_note(self) -> None:
        """Write a note on the command line."""
        self._prompt("note ")

    def action_inject(self) -> None:
        """Write an event on the command line (a message, a deploy or a fault: ``inject``
        alone says how)."""
        self._prompt("inject ")

    def action_command(self) -> None:
        """Go to the command line."""
        self._prompt("")

    def action_leave(self) -> None:
        """Back to the leaderboard."""
        self.command.value = ""
        self.board.focus()

    def action_pause(self) -> None:
        """Pause every player's clock, or let it run again."""
        self.send("resume" if self.state == "paused" else "pause")

    def action_end(self) -> None:
        """End the round (asks first)."""
        self._confirm(
            "end",
            "End the round for everyone?",
            "Nobody can act after this: games still running stop where they are, without a "
            "score. Reveal the debrief afterwards (r).",
        )

    def action_reveal(self) -> None:
        """Reveal every player's score and debrief (asks first)."""
        self._confirm(
            "reveal",
            "Reveal the debrief to everyone?",
            "Every player sees their score, the root cause and the reference solution.",
        )

    def action_export(self) -> None:
        """Write the grades (CSV and JSON) to the export folder."""
        self.export_grades(self.export_dir)

    def action_sort(self) -> None:
        """Sort by the next column."""
        keys = [c.key for c in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = False

    def action_reverse(self) -> None:
        """Reverse the order of the leaderboard."""
        self.sort_reverse = not self.sort_reverse

    def action_quit_console(self) -> None:
        """Close the console (asks first when that stops the server)."""
        if not self.owns_server:
            self.exit()
            return
        self._confirm(
            "quit",
            "Quit and stop the server?",
            "Players lose the connection. Everything stays in the database: "
            "`chaosgame host --serve` serves the round again.",
        )

    def _confirm(self, op: str, question: str, detail: str) -> None:
        """Ask first; on yes, quit or send ``op``."""

        def answered(yes: bool | None) -> None:
            if yes and op == "quit":
                self.exit()
            elif yes:
                self.send(op)

        self.push_screen(ConfirmDialog(question, detail), answered)

    @on(Input.Submitted, "#command")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        self.action_leave()
        if not line:
            return
        try:
            command = parse_command(line)
        except CommandError as exc:
            self.say(str(exc), error=True)
            return
        self.run_command(command)

    def run_command(self, command: Command) -> None:
        """Do what a command line asks."""
        name = command.name
        if name == "hint":
            self.send("hint", text=command.text, penalty=command.penalty)
        elif name == "note":
            self.send("note", text=command.text)
        elif name == "inject":
            self.send("inject", event=command.event)
        elif name in ("pause", "resume"):
            self.send(name)
        elif name == "end":
            self.action_end()
        elif name == "reveal":
            self.action_reveal()
        elif name == "export":
            self.export_grades(Path(command.text) if command.text else self.export_dir)
        elif name == "sort":
            self._sort_by(command.text)
        elif name == "refresh":
            self.read_board()
        elif name == "help":
            for line in COMMANDS.values():
                self.say(line)
            for line in INJECT_FORMS:
                self.say("  " + line)
        elif name == "quit":
            self.action_quit_console()

    @work(group="ops")
    async def send(self, op: str, **params: Any) -> None:
        """One host request; the answer (or why not) in the round log."""
        try:
            result = await self.link.ask(op, **params)
        except LinkDown as exc:
            self.say(f"Not sent ({op}): {exc}; try again once connected.", error=True)
            return
        except HostError as exc:
            self.say(f"Not done ({op}): {exc.message}", error=True)
            return
        if isinstance(result, dict) and "state" in result:
            self.state = str(result["state"])
        if op == "inject" and isinstance(result, dict):
            games = len(result.get("players") or [])
            self.say(
                f"Sent: {describe(result.get('event') or {})}, "
                f"to {games} game{'s' * (games != 1)} in progress."
            )
        if op == "hint":
            playing = sum(1 for p in self.players if p.get("status") != "ended")
            cost = f"{params['penalty']:g} points" if params.get("penalty") else "nothing"
            self.say(f"Hint sent to everyone; it costs {cost} to the {playing} still playing.")
        self.read_board()

    @work(group="ops")
    async def export_grades(self, folder: Path) -> None:
        """The grades as ``grades-CODE.csv`` and ``grades-CODE.json`` in ``folder``."""
        try:
            data = {}
            for fmt in ("csv", "json"):
                data[fmt] = (await self.link.ask("export", format=fmt))["data"]
            postmortems = (await self.link.ask("export", format="postmortems"))["data"]
        except LinkDown as exc:
            self.say(f"Not exported: {exc}; try again once connected.", error=True)
            return
        except HostError as exc:
            self.say(f"Not exported: {exc.message}", error=True)
            return
        written = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for fmt, text in data.items():
                path = (folder / f"grades-{self.code}.{fmt}").resolve()
                path.write_text(text, encoding="utf-8")
                written.append(path)
            for name, text in sorted(postmortems.items()):
                safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
                (folder / f"postmortem-{self.code}-{safe}.md").write_text(text, encoding="utf-8")
        except OSError as exc:
            self.say(f"Not exported: cannot write in {folder}: {exc.strerror or exc}", True)
            return
        count = len(json.loads(data["json"]).get("players", []))
        self.say(
            f"Grades of {count} players written to {written[0]} and {written[1].name}; "
            f"{len(postmortems)} postmortems of ended games beside them."
        )
