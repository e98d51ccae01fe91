"""History: the saved games, newest first. Resume one in progress, or read (and export) the
postmortem of a finished one, rebuilt by replaying its saved actions.

Everything slow (opening the database, replaying a game) runs in a thread worker; a damaged
record or an unreadable database is a message on the screen, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, Static

from chaosgame.game import exports, figures
from chaosgame.game.figures import plural
from chaosgame.game.records import newest_first
from chaosgame.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from chaosgame.game.records import RunRecord
    from chaosgame.tui.app import ChaosApp

SCENARIO_WIDTH = 24
"""The incident column's least width; it takes what the terminal has beyond the others."""
STATUS = {
    "playing": ("▶ playing", "$warning"),
    "ended": ("■ ended", "$text-muted"),
    "finished": ("✓ finished", "$success"),
}
"""How each saved status reads: a symbol and a word first, the colour only adds to it."""

NOT_SAVED = (
    "Games are not saved in this session (chaosgame play --no-record), so there is no "
    "history to show. Start chaosgame play without --no-record to keep your games."
)


def when(stamp: str) -> str:
    """An ISO time stamp as ``YYYY-MM-DD HH:MM`` (the store writes UTC)."""
    return stamp[:16].replace("T", " ")


def score_text(record: RunRecord) -> str:
    """``86.7 B`` for a scored game (written as on every screen), ``-`` otherwise."""
    score = record.score or {}
    if score.get("total") is None:
        return "-"
    return f"{figures.score(float(score['total']))} {score.get('grade', '?')}"


def resumable(record: RunRecord) -> bool:
    """A game still in progress (enter resumes it); others open their postmortem."""
    return record.status not in ("finished", "ended")


def _key(text: str) -> Content:
    return Content.styled(text, "bold $accent")


def back_on_screen(screen: Screen[Any], callback: Callable[..., None], *args: Any) -> None:
    """From a worker thread: run ``callback`` on the UI thread if ``screen`` is still the one
    shown (a worker may finish after the player has left it)."""

    def run() -> None:
        if screen.is_attached and screen.app.screen is screen:
            callback(*args)

    screen.app.call_from_thread(run)


class HistoryScreen(Screen[None]):
    """The table of saved games; enter resumes or opens the postmortem."""

    BINDINGS = [
        Binding("enter", "open", "open", priority=True),
        Binding("g", "reload", "reload"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[int, RunRecord] = {}
        self.title_width = SCENARIO_WIDTH
        self.problems: list[str] = []
        self.failure = ""
        """Why the saved games could not be listed at all ('' when they could)."""
        self.path: Path | None = None
        self.notice = ""
        """Why the last game asked for could not be resumed ('' when none)."""

    def compose(self) -> ComposeResult:
        """Title, table, and a detail line about the run under the cursor."""
        with Vertical(id="history"):
            yield Static(
                Content.assemble(
                    (" HISTORY ", "bold reverse $accent"),
                    "  your saved games, newest first (times in UTC)",
                ),
                id="history-title",
            )
            yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
            yield Static("Reading the saved games…", id="history-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Columns, then the runs (read in a worker)."""
        table = self.query_one("#runs", DataTable)
        self.title_width = max(SCENARIO_WIDTH, min(56, self.app.size.width - 60))
        for label, width in (
            ("run", 4),
            ("started", 16),
            ("incident", self.title_width),
            ("seed", 6),
            ("score", 7),
            ("status", 10),
        ):
            table.add_column(label, width=width, key=label)
        table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        """Coming back from a game or a postmortem: the list may have changed."""
        if self.records or self.failure:
            self.action_reload()

    # ------------------------------------------------------------------ reading
    @property
    def store(self) -> Any:
        """The app's run store (None when games are not saved)."""
        return cast("ChaosApp", self.app).store

    def action_reload(self) -> None:
        """Read the saved games again."""
        if self.store is None:
            self.query_one("#runs", DataTable).display = False
            self.query_one("#history-detail", Static).update(NOT_SAVED)
            return
        self._read(self.store)

    @work(thread=True, exclusive=True, group="history")
    def _read(self, store: Any) -> None:
        before = len(store.problems)
        try:
            runs = store.runs()
        except Exception as exc:  # an unreadable database is a message, never a crash
            back_on_screen(self, self._failed, f"The saved games cannot be read: {exc}")
            return
        back_on_screen(self, self._show, runs, list(store.problems[before:]), store.path)

    def _failed(self, message: str) -> None:
        self.failure = message
        self.records = {}
        self.query_one("#runs", DataTable).clear()
        self.query_one("#history-detail", Static).update(Content.styled("⚠ " + message, "$error"))

    def _show(self, runs: list[RunRecord], problems: list[str], path: Path) -> None:
        self.failure = ""
        self.problems = problems
        self.path = path
        table = self.query_one("#runs", DataTable)
        chosen = self._chosen()
        table.clear()
        self.records = {}
        for record in newest_first(runs):
            self.records[record.id] = record
            status, style = STATUS.get(record.status, (record.status, ""))
            name = record.title
            if len(name) > self.title_width:
                name = name[: self.title_width - 1] + "…"
            table.add_row(
                str(record.id),
                when(record.created),
                Content(name),
                str(record.seed),
                score_text(record),
                Content.styled(status, style),
                key=str(record.id),
            )
        if chosen is not None and str(chosen.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(chosen.id)))
        self._detail()

    def _chosen(self) -> RunRecord | None:
        table = self.query_one("#runs", DataTable)
        if table.row_count == 0 or not self.records:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.records.get(int(str(key)))

    def _detail(self) -> None:
        detail = self.query_one("#history-detail", Static)
        if self.failure:
            return
        parts: list[tuple[str, str] | str | Content] = []
        if self.notice:
            parts.append((self.notice + "\n", "$error"))
        if self.problems:
            n = len(self.problems)
            parts.append(
                (
                    f"⚠ {n} damaged record{'s' if n > 1 else ''} skipped: {self.problems[0]}\n",
                    "$warning",
                )
            )
        record = self._chosen()
        if record is None:
            parts.append(
                f"No games saved yet in {self.path}. Play an incident: it is saved after "
                "every action."
            )
        else:
            parts += [
                (f"run {record.id}", "bold"),
                f": {record.title}, seed {record.seed}, {plural(len(record.actions), 'action')}",
            ]
            if record.score:
                parts.append(f", score {score_text(record)}")
            parts.append("\n")
            verb = " resume this game  " if resumable(record) else " read its postmortem  "
            parts += [_key("enter"), verb, _key("g"), " reload  ", _key("esc"), " back"]
        detail.update(Content.assemble(*parts))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    # ------------------------------------------------------------------ opening
    def action_open(self) -> None:
        """Resume the game under the cursor, or open its postmortem when it is over."""
        record = self._chosen()
        if record is None:
            return
        self.notice = ""
        if resumable(record):
            self.query_one("#history-detail", Static).update(
                f"Resuming run {record.id}: replaying {plural(len(record.actions), 'saved action')}…"
            )
            self._check_and_resume(record)
        else:
            self.app.push_screen(PostmortemScreen(record))

    @work(thread=True, exclusive=True, group="history-resume")
    def _check_and_resume(self, record: RunRecord) -> None:
        """Replay the record once here, so a game that cannot resume is a message."""
        from chaosgame.game.player import PlayerView

        try:
            PlayerView.resumed(record)
        except Exception as exc:  # a damaged or unreplayable record is a message
            back_on_screen(self, self._cannot_resume, record, str(exc))
            return
        back_on_screen(self, cast("ChaosApp", self.app).resume_game, record)

    def _cannot_resume(self, record: RunRecord, why: str) -> None:
        self.notice = f"✗ Run {record.id} cannot be resumed: {why}"
        self._detail()
        self.notify(self.notice, severity="error", timeout=8)

    def action_back(self) -> None:
        """Back to the home screen."""
        self.dismiss(None)


class PostmortemScreen(Screen[None]):
    """A finished game's blameless postmortem, read-only, with export to Markdown."""

    BINDINGS = [
        Binding("x", "export", "export Markdown"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self, record: RunRecord) -> None:
        super().__init__()
        self.record = record
        self.text: str | None = None

    def compose(self) -> ComposeResult:
        """Title, a status line, and the postmortem."""
        r = self.record
        with Vertical(id="postmortem"):
            yield Static(
                Content.assemble(
                    (" POSTMORTEM ", "bold reverse $accent"),
                    f"  run {r.id}: {r.scenario_id}, seed {r.seed}",
                ),
                id="postmortem-title",
            )
            yield Static(
                f"Replaying run {r.id} ({plural(len(r.actions), 'saved action')}) to write its "
                "postmortem…",
                id="postmortem-status",
            )
            with VerticalScroll(id="postmortem-body"):
                yield Markdown("", id="postmortem-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Build the postmortem in a worker; scroll keys work at once."""
        self.query_one("#postmortem-body").focus()
        self._build(self.record)

    @work(thread=True, exclusive=True, group="postmortem")
    def _build(self, record: RunRecord) -> None:
        try:
            from chaosgame.game.postmortem import build_postmortem
            from chaosgame.game.records import replay

            assessment, problems = replay(record)
            text = build_postmortem(assessment, record.id)
        except Exception as exc:  # a damaged record is a message, never a crash
            back_on_screen(self, self._failed, str(exc))
            return
        back_on_screen(self, self._shown, text, problems)

    def _failed(self, why: str) -> None:
        self.query_one("#postmortem-status", Static).update(
            Content.styled(
                f"⚠ The postmortem of run {self.record.id} cannot be built: {why}", "$error"
            )
        )

    def _shown(self, text: str, problems: list[str]) -> None:
        self.text = text
        self.query_one("#postmortem-text", Markdown).update(text)
        status = self.query_one("#postmortem-status", Static)
        if problems:
            status.update(
                Content.styled(
                    f"⚠ The replay differs from the saved run ({'; '.join(problems)}); "
                    "this postmortem follows the replay.",
                    "$warning",
                )
            )
        else:
            status.update(
                Content.assemble(
                    "Rebuilt from its saved actions.  ",
                    _key("x"),
                    " export Markdown  ",
                    _key("↑↓"),
                    " scroll  ",
                    _key("esc"),
                    " back",
                )
            )

    def export_name(self) -> str:
        """The export's file name (a number is added when it is taken)."""
        r = self.record
        return f"postmortem-{r.scenario_id}-{r.seed}-run{r.id}.md"

    def action_export(self) -> None:
        """Write the postmortem as Markdown into the export folder, never over another file."""
        if self.text is None:
            self.notify("The postmortem is still being written.", severity="warning")
            return
        name = self.export_name()
        try:
            path = exports.write_new(cast("ChaosApp", self.app).export_dir, name, self.text)
        except OSError as exc:
            self.notify(f"Could not write the postmortem: {exc}", severity="error", markup=False)
            return
        renamed = "" if path.name == name else f" ({name} was already there)"
        self.notify(f"Postmortem written to {path}{renamed}", timeout=8, markup=False)

    def action_back(self) -> None:
        """Back to the history."""
        self.dismiss(None)
