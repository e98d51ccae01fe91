"""The interviewer's console: the instructor console's screen for an interview round
(``docs/classroom.md``, "Interviews").

The hidden truth, the candidate's actions and think-aloud notes as one timeline, the rubric
to mark as it goes, the question bank by topic, and the report. It runs inside
:class:`~chaosgame.classroom.host_app.HostConsole`, which opens it when the round it hosts is
an interview, and shares its connection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, OptionList, RichLog, Static
from textual.widgets.option_list import Option

from chaosgame.classroom.host_link import HostError, LinkDown
from chaosgame.classroom.host_view import CommandError, clock_text, parse_command
from chaosgame.classroom.interview import CRITERIA, MARK_MAX, rubric_state, transcript

if TYPE_CHECKING:
    from chaosgame.classroom.host_app import HostConsole

__all__ = ["InterviewScreen", "QuestionPicker", "parse_interview"]

COMMANDS = {
    "mark": "mark CRITERION N [COMMENT]  rubric: hypotheses, safety, communication, evidence",
    "ask": "ask QUESTION-ID [NOTE]      a question asked, with a note on the answer",
    "report": "report [FOLDER]             write the report (Markdown and JSON)",
    "truth": "truth                       hide or show the truth panel",
}
"""The interview's own commands (the instructor console's work here too)."""
STYLES = {
    "action": "",
    "think": "italic cyan",
    "note": "yellow",
    "ask": "magenta",
    "hint": "green",
}
"""How each kind of timeline line is shown (the rest dim)."""
MARKS = {
    "action": " ",
    "think": "»",
    "note": "✎",
    "ask": "?",
    "hint": "!",
}


def parse_interview(line: str) -> tuple[str, dict[str, Any]] | None:
    """An interview command as ``(op, params)``; None for a line that is not one.

    Raises:
        CommandError: what is wrong, and the command's form.
    """
    head, _, rest = line.strip().partition(" ")
    name, rest = head.lower(), rest.strip()
    if name not in COMMANDS:
        return None
    form = COMMANDS[name].split("  ")[0]
    if name == "mark":
        words = rest.split(maxsplit=2)
        keys = [c.key for c in CRITERIA]
        if len(words) < 2 or words[0].lower() not in keys:
            raise CommandError(f"mark one of {', '.join(keys)}: {form}")
        if not words[1].isdigit() or not 1 <= int(words[1]) <= MARK_MAX:
            raise CommandError(f"a mark is 1 to {MARK_MAX}, not {words[1]}: {form}")
        comment = words[2] if len(words) > 2 else ""
        return "rubric", {"criterion": words[0].lower(), "mark": int(words[1]), "comment": comment}
    if name == "ask":
        qid, _, note = rest.partition(" ")
        if not qid:
            raise CommandError(f"which question? {form} (a opens the question bank)")
        return "ask", {"question": qid.lower(), "note": note.strip()}
    if name == "report":
        return "report", {"folder": rest}
    if rest:
        raise CommandError(f"'{name}' takes nothing after it: {form}")
    return "truth", {}


class QuestionPicker(ModalScreen[tuple[str, str] | None]):
    """The question bank by topic: pick a question, read its model answer, note the
    candidate's answer; Enter in the note marks the question asked."""

    BINDINGS = [Binding("escape", "cancel", "close")]

    def __init__(self, console: HostConsole, topics: list[dict[str, Any]]) -> None:
        super().__init__()
        self.console = console
        self.topics = topics
        self.cache: dict[str, list[dict[str, Any]]] = {}
        self.shown: list[dict[str, Any]] = []
        self.chosen: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        """Topics beside their questions, the question in full, the note."""
        with Vertical(classes="dialog picker"):
            yield Static("Question bank (* this incident's topics)", classes="dialog-title")
            with Horizontal(id="qp-lists"):
                yield OptionList(
                    *[
                        Option(f"{'*' if t['incident'] else ' '} {t['topic']} ({t['questions']})")
                        for t in self.topics
                    ],
                    id="qp-topics",
                )
                yield OptionList(id="qp-questions")
            yield Static("", id="qp-detail", markup=False)
            yield Input(
                placeholder="the candidate's answer, in a few words; Enter marks it asked",
                id="qp-note",
                max_length=2000,
            )

    def on_mount(self) -> None:
        """Start on the first topic."""
        topics = self.query_one("#qp-topics", OptionList)
        topics.highlighted = 0
        topics.focus()

    @on(OptionList.OptionHighlighted, "#qp-topics")
    def _topic(self, event: OptionList.OptionHighlighted) -> None:
        self.load(self.topics[event.option_index]["topic"])

    @work(exclusive=True, group="questions")
    async def load(self, topic: str) -> None:
        """The questions of ``topic`` (read once from the server)."""
        if topic not in self.cache:
            try:
                got = await self.console.link.ask("questions", topic=topic)
            except (LinkDown, HostError) as exc:
                self.query_one("#qp-detail", Static).update(f"Cannot read the questions: {exc}")
                return
            self.cache[topic] = list(got["questions"])
        self.shown = self.cache[topic]
        box = self.query_one("#qp-questions", OptionList)
        box.clear_options()
        box.add_options(
            [Option(f"{q['id']} [{q['difficulty']}] {q['question']}") for q in self.shown]
        )
        if self.shown:
            box.highlighted = 0

    @on(OptionList.OptionHighlighted, "#qp-questions")
    def _question(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.shown):
            self.chosen = self.shown[event.option_index]
            self.query_one("#qp-detail", Static).update(question_text(self.chosen))

    @on(OptionList.OptionSelected, "#qp-topics")
    def _into_questions(self) -> None:
        self.query_one("#qp-questions", OptionList).focus()

    @on(OptionList.OptionSelected, "#qp-questions")
    def _into_note(self) -> None:
        self.query_one("#qp-note", Input).focus()

    @on(Input.Submitted, "#qp-note")
    def _asked(self, event: Input.Submitted) -> None:
        if self.chosen is not None:
            self.dismiss((str(self.chosen["id"]), event.value.strip()))

    def action_cancel(self) -> None:
        """Close without marking anything."""
        self.dismiss(None)


def question_text(q: dict[str, Any]) -> str:
    """A question with its answer, as the interviewer reads it."""
    lines = [f"{q['id']} ({', '.join(q['topics'])}; {q['difficulty']}): {q['question']}"]
    if q["kind"] == "choice":
        for i, choice in enumerate(q["choices"]):
            lines.append(f"  {'✓' if i == q['answer'] else ' '} {chr(65 + i)}. {choice}")
    else:
        lines.append(f"Model answer: {q['answer']}")
        lines += [f"  - {point}" for point in q["rubric"]]
    return "\n".join(lines)


class InterviewScreen(Screen[None]):
    """One candidate, seen by the interviewer."""

    CSS_PATH = "interview_app.tcss"
    BINDINGS = [
        *[
            Binding(str(n), f"mark({n})", "mark", show=n == 1, key_display="1-4")
            for n in range(1, MARK_MAX + 1)
        ],
        Binding("c", "comment", "comment"),
        Binding("a", "ask", "ask a question"),
        Binding("w", "report", "write report"),
        Binding("t", "truth", "hide truth"),
        Binding("h", "hint", "hint", show=False),
        Binding("n", "note", "note"),
        Binding("colon", "command", "command"),
        Binding("escape", "leave", "leave the command line", show=False),
        Binding("s", "nothing", show=False),
        Binding("S", "nothing", show=False),
    ]

    def __init__(self, console: HostConsole) -> None:
        super().__init__()
        self.console = console
        self.events: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.candidate: str | None = None
        self.sheet: dict[str, Any] | None = None
        self.top = Static(id="iv-top", markup=False)
        self.link_line = Static("", id="iv-link", markup=False)
        self.truth_log = RichLog(
            id="iv-truth", wrap=True, markup=False, min_width=20, auto_scroll=False
        )
        self.rubric = DataTable[str](id="iv-rubric", cursor_type="row")
        self.levels = Static("", id="iv-levels", markup=False)
        self.timeline = RichLog(id="iv-timeline", wrap=True, markup=False, min_width=20)
        self.message = RichLog(id="iv-said", wrap=True, markup=False, min_width=20)
        self.command = Input(
            placeholder="1-4 mark, c comment, a ask, n note, : a command ('help' lists them)",
            id="iv-command",
            select_on_focus=False,
        )

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        """Top line, connection line, truth and rubric beside the timeline, command line."""
        yield self.top
        yield self.link_line
        with Horizontal(id="iv-main"):
            with Vertical(id="iv-left"):
                yield self.truth_log
                yield self.rubric
                yield self.levels
            yield self.timeline
        yield self.message
        yield self.command
        yield Footer()

    def on_mount(self) -> None:
        """Columns, what is known so far, the watchers and the first readings."""
        self.truth_log.border_title = "Truth (the candidate never sees it)"
        self.rubric.border_title = "Rubric (1-4 marks, c comments)"
        self.rubric.add_column("Criterion", width=21, key="criterion")
        self.rubric.add_column("Mark", width=4, key="mark")
        self.rubric.add_column("Comment", key="comment")
        self.watch(self.console, "state", self._show_top)
        self.watch(self.console, "players", self._players)
        self._show_rubric()
        self._show_timeline()
        self.rubric.focus()
        self.read_truth()
        self.set_interval(self.console.refresh_s, self.read_steps)

    # ---------------------------------------------------------------- from the console
    def hear(self, event: dict[str, Any]) -> None:
        """A line of the round's log (the console heard it once)."""
        self.events.append(event)
        if self.is_mounted:
            if event.get("kind") == "rubric":
                self._show_rubric()
            self._show_timeline()

    def say(self, text: str, error: bool = False) -> None:
        """A message of the console (the last three stay on screen)."""
        self.message.write(Text(text, style="bold red" if error else ""))

    def show_link(self, text: str, kind: str) -> None:
        """The connection line, as the console has it."""
        self.link_line.update(text)
        self.link_line.set_class(kind == "-down", "-down")
        self.link_line.set_class(kind == "-refused", "-refused")
        if kind == "" and self.sheet is None and self.is_mounted:
            self.read_truth()

    # ---------------------------------------------------------------- reading
    @work(exclusive=True, group="truth")
    async def read_truth(self) -> None:
        """The hidden truth, once."""
        try:
            self.sheet = await self.console.link.ask("truth")
        except (LinkDown, HostError):
            return
        self._show_truth()

    @work(exclusive=True, group="steps")
    async def read_steps(self) -> None:
        """The candidate's requests (the timeline's actions)."""
        name = self.candidate
        if name is None or not self.console.link.connected:
            return
        try:
            got = await self.console.link.ask("timeline", name=name)
        except (LinkDown, HostError):
            return
        if len(got["timeline"]) != len(self.steps):
            self.steps = list(got["timeline"])
            self._show_timeline()

    def _players(self) -> None:
        players = self.console.players
        name = str(players[0]["name"]) if players else None
        if name != self.candidate:
            self.candidate = name
            self.read_steps()
        self._show_top()

    # ---------------------------------------------------------------- showing
    def _show_top(self) -> None:
        from chaosgame.classroom.host_app import STATES

        label, colour = STATES.get(self.console.state, (self.console.state, "white"))
        row = self.console.players[0] if self.console.players else None
        who = (
            f"{row['name']}: {row['status']}, {row['actions']} actions"
            if row
            else "waiting for the candidate"
        )
        if row and row.get("score") is not None:
            who += f", score {float(row['score']):.1f}"
        line = Text.assemble(
            (f"Interview {self.console.code}", "bold"),
            "  ",
            (label, f"bold {colour}"),
            f"  {who}  ",
            (self.console.round_title, "italic"),
        )
        line.truncate(max(self.size.width - 2, 20), overflow="ellipsis")
        self.top.update(line)

    def _show_truth(self) -> None:
        log, t = self.truth_log, self.sheet
        log.clear()
        if t is None:
            return
        rc = t["root_cause"]
        where = rc.get("component") or rc.get("artefact") or "(none)"
        log.write(Text.assemble("Root cause: ", (f"{rc['kind']} in {where}", "bold red")))
        if t["summary"]:
            log.write(Text(t["summary"], style="dim"))
        log.write(Text("Causal chain", style="bold"))
        for step in t["causal_chain"]:
            at = f"+{int(step['at'] // 60)}m " if step["at"] is not None else ""
            log.write(Text(f" {at}{step['component']}: {step['what']}"))
        log.write(Text("Reference solution", style="bold"))
        for line in t["reference_solution"]:
            log.write(Text(f" {line}"))
        if t["red_herrings"]:
            log.write(Text("Red herrings", style="bold"))
            for h in t["red_herrings"]:
                log.write(Text(f" {h['ref']}: {h['why']}"))
        if t["signals"]:
            log.write(Text("Signals", style="bold"))
            for s in t["signals"]:
                log.write(Text(f" {s}"))
        log.scroll_home(animate=False)

    def _rubric_now(self) -> list[dict[str, Any]]:
        lines = [
            (int(e.get("seq", 0)), str(e.get("kind")), e, float(e.get("at") or 0.0))
            for e in self.events
        ]
        return rubric_state(lines)

    def _show_rubric(self) -> None:
        table = self.rubric
        row = table.cursor_row
        table.clear()
        for r in self._rubric_now():
            mark = f"{r['mark']}/{MARK_MAX}" if r["mark"] is not None else "-"
            table.add_row(r["label"], mark, r["comment"] or "", key=r["criterion"])
        table.move_cursor(row=row, animate=False)
        self._show_levels()

    def _show_levels(self) -> None:
        r = self._rubric_now()[max(self.rubric.cursor_row, 0)]
        text = Text(f"{r['label']}: ", style="bold")
        for n, meaning in enumerate(r["levels"], start=1):
            text.append(f"{n} ", style="bold reverse" if r["mark"] == n else "bold")
            text.append(f"{meaning}  ", style="" if r["mark"] == n else "dim")
        self.levels.update(text)

    def _show_timeline(self) -> None:
        log = self.timeline
        log.clear()
        rows = transcript(self.steps, self.events, self.candidate)
        for r in rows:
            grid = Table.grid(padding=(0, 1), expand=True)
            grid.add_column(width=8, no_wrap=True, style="dim")
            grid.add_column(width=1, no_wrap=True)
            grid.add_column(ratio=1)
            style = STYLES.get(r["kind"], "dim")
            grid.add_row(clock_text(r["at"]), MARKS.get(r["kind"], "·"), Text(r["text"], style))
            log.write(grid)
        thoughts = sum(1 for r in rows if r["kind"] == "think")
        who = self.candidate or "the candidate"
        log.border_title = f"Timeline: {who} ({len(self.steps)} actions, {thoughts} thoughts)"

    @on(DataTable.RowHighlighted, "#iv-rubric")
    def _criterion(self) -> None:
        self._show_levels()

    # ---------------------------------------------------------------- the interviewer's actions
    def _criterion_key(self) -> str:
        return CRITERIA[max(self.rubric.cursor_row, 0)].key

    def action_mark(self, mark: int) -> None:
        """Mark the criterion under the cursor (its comment stays)."""
        key = self._criterion_key()
        now = next(r for r in self._rubric_now() if r["criterion"] == key)
        self.send("rubric", criterion=key, mark=mark, comment=now["comment"] or "")

    def action_comment(self) -> None:
        """Write the comment of the criterion under the cursor on the command line."""
        key = self._criterion_key()
        now = next(r for r in self._rubric_now() if r["criterion"] == key)
        self._prompt(f"mark {key} {now['mark'] or 3} ")

    def action_ask(self) -> None:
        """Open the question bank."""
        self.open_bank()

    @work(exclusive=True, group="bank")
    async def open_bank(self) -> None:
        try:
            topics = (await self.console.link.ask("questions"))["topics"]
        except (LinkDown, HostError) as exc:
            self.console.say(f"Cannot open the question bank: {exc}", error=True)
            return

        def asked(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self.send("ask", question=choice[0], note=choice[1])

        self.app.push_screen(QuestionPicker(self.console, topics), asked)

    def action_report(self) -> None:
        """Write the report to the export folder."""
        self.write_report(self.console.export_dir)

    def action_truth(self) -> None:
        """Hide the truth panel (sharing the screen?), or show it again."""
        self.truth_log.display = not self.truth_log.display

    def action_hint(self) -> None:
        self._prompt("hint -p 5 ")

    def action_note(self) -> None:
        self._prompt("note ")

    def action_command(self) -> None:
        self._prompt("")

    def action_leave(self) -> None:
        self.command.value = ""
        self.rubric.focus()

    def action_nothing(self) -> None:
        """Keys of the class console that mean nothing here."""

    def _prompt(self, text: str) -> None:
        self.command.value = text
        self.command.cursor_position = len(text)
        self.command.focus()

    @on(Input.Submitted, "#iv-command")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        self.action_leave()
        if not line:
            return
        try:
            ours = parse_interview(line)
            if ours is None:
                command = parse_command(line)
        except CommandError as exc:
            self.console.say(str(exc), error=True)
            return
        if ours is None:
            if command.name == "help":
                for text in COMMANDS.values():
                    self.console.say(text)
            self.console.run_command(command)
            return
        op, params = ours
        if op == "truth":
            self.action_truth()
        elif op == "report":
            folder = params["folder"]
            self.write_report(Path(folder) if folder else self.console.export_dir)
        else:
            self.send(op, **params)

    @work(group="ops")
    async def send(self, op: str, **params: Any) -> None:
        """One interview request; what went wrong on the message line."""
        try:
            await self.console.link.ask(op, **params)
        except LinkDown as exc:
            self.console.say(f"Not sent ({op}): {exc}; try again once connected.", error=True)
            return
        except HostError as exc:
            self.console.say(f"Not done ({op}): {exc.message}", error=True)
            return
        if op == "ask":
            self.console.say(f"{params['question']} marked asked.")

    @work(group="ops")
    async def write_report(self, folder: Path) -> None:
        """``interview-CODE.md`` and ``interview-CODE.json`` in ``folder``."""
        try:
            got = await self.console.link.ask("report")
        except (LinkDown, HostError) as exc:
            self.console.say(f"No report: {getattr(exc, 'message', exc)}", error=True)
            return
        code = self.console.code
        try:
            folder.mkdir(parents=True, exist_ok=True)
            md = (folder / f"interview-{code}.md").resolve()
            md.write_text(got["markdown"], encoding="utf-8")
            (folder / f"interview-{code}.json").write_text(
                json.dumps(got["json"], indent=2), encoding="utf-8"
            )
        except OSError as exc:
            self.console.say(f"No report: cannot write in {folder}: {exc.strerror or exc}", True)
            return
        ended = "" if got["json"]["game"]["ended"] else " (the game has not ended: no score yet)"
        self.console.say(f"Report written to {md} and interview-{code}.json{ended}")


def open_interview(console: HostConsole) -> InterviewScreen:
    """The interview screen over ``console`` (pushed by the console itself)."""
    screen = InterviewScreen(console)
    console.push_screen(screen)
    return screen
