"""Home: pick a curated incident (filter by topic and difficulty), choose a seed, start."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from chaosgame.game.records import parse_seed
from chaosgame.scenario.index import Entry
from chaosgame.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario
    from chaosgame.tui.app import ChaosApp


def entry_of(sc: Scenario) -> Entry:
    """The list entry of a scenario already loaded."""
    return Entry(
        None,
        sc.id,
        sc.title,
        tuple(str(t) for t in sc.topics),
        sc.difficulty,
        sc.expected_minutes,
        sc.seed,
    )


def clip_words(text: str, width: int, sep: str = " ") -> str:
    """``text`` in ``width`` cells, cut between words (``sep``) with an ellipsis, never inside
    a word unless the first word alone is too long."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    head, found, _ = cut.rpartition(sep)
    if found and head.strip():
        return head.rstrip(" ,;:") + "…"
    return cut + "…"


def matches(row: dict[str, Any], text: str) -> bool:
    """Every word of ``text`` is part of a topic, the difficulty or the title.

    Not the id: ids are file names, which may name the cause; the list shows symptoms only.
    """
    hay = " ".join([row.get("title", ""), row.get("difficulty", ""), *row.get("topics", [])])
    hay = hay.lower()
    return all(word in hay for word in text.lower().split())


class HomeScreen(Screen[None]):
    """The list of incidents; enter plays the one under the cursor."""

    BINDINGS = [
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("s", "seed", "seed"),
        Binding("r", "app.resume", "resume"),
        Binding("h", "history", "history"),
        Binding("z", "quiz", "quiz"),
        Binding("enter", "play", "play", show=True),
        Binding("escape", "back", "back", show=False),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        library: Sequence[Scenario | Path] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.extra = scenario
        self.initial_seed = seed
        self.entries: list[Entry] = []
        self.loaded: dict[int, Scenario] = {}
        """Scenarios validated so far, by entry number (a file is validated when played)."""

    def compose(self) -> ComposeResult:
        """Title, filters, the table and a detail line."""
        with Vertical(id="home"):
            yield Static(
                Content.assemble(
                    ("chaosgame", "bold $accent"),
                    "  on-call training: find the cause, stop the bleeding",
                ),
                id="home-title",
            )
            with Horizontal(classes="field"):
                yield Label("filter ")
                yield Input(placeholder="topic, difficulty or words (e.g. slo easy)", id="filter")
                yield Label(" seed ")
                yield Input(
                    "" if self.initial_seed is None else str(self.initial_seed),
                    placeholder="scenario's",
                    id="seed",
                    type="integer",
                )
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Columns, then the list."""
        table = self.query_one("#scenarios", DataTable)
        table.focus()
        self._load()

    def _load(self) -> None:
        """List the library from the files' headers (a few milliseconds: no worker needed;
        each file is validated in full when it is played)."""
        from chaosgame.scenario.index import read_entry, read_index

        items = self.library if self.library is not None else read_index()
        entries = []
        self.loaded = {}
        if self.extra is not None and all(
            getattr(item, "id", None) != self.extra.id for item in items
        ):
            items = [self.extra, *items]
        for n, item in enumerate(items):
            if isinstance(item, Path):
                entries.append(read_entry(item))
            elif isinstance(item, Entry):
                entries.append(item)
            else:
                entries.append(entry_of(item))
                self.loaded[n] = item
        self.entries = entries
        self._fill()

    def _widths(self) -> tuple[int, int]:
        """The title and topics columns: titles as long as the longest (topics keep 20)."""
        room = self.app.size.width - 22  # padding, scrollbar, the level and minutes columns
        longest = max((len(e.title) for e in self.entries), default=30)
        title = max(min(longest, room - 20), min(room, 24))
        return title, max(room - title, 6)

    def _fill(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        text = self.query_one("#filter", Input).value
        title_w, topics_w = self._widths()
        before = self._chosen_index() if table.columns else None
        table.clear(columns=True)
        for label, width in (
            ("incident", title_w),
            ("level", 6),
            ("min", 3),
            ("topics", topics_w),
        ):
            table.add_column(label, width=width, key=label)
        for n, entry in enumerate(self.entries):
            if not matches(entry.row(), text):
                continue
            table.add_row(
                Content.styled(clip_words(entry.title, title_w), "$error" if entry.problem else ""),
                entry.difficulty,
                str(entry.minutes),
                clip_words(", ".join(entry.topics), topics_w, sep=", "),
                key=str(n),
            )
        if before is not None and str(before) in table.rows:
            table.move_cursor(row=table.get_row_index(str(before)))
        elif self.extra is not None:
            for i, entry in enumerate(self.entries):
                if entry.id == self.extra.id and str(i) in table.rows:
                    table.move_cursor(row=table.get_row_index(str(i)))
        self._detail()

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        if self.entries:
            self._fill()

    def _chosen_index(self) -> int | None:
        table = self.query_one("#scenarios", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(str(key))

    def _detail(self) -> None:
        chosen = self._chosen_index()
        detail = self.query_one("#detail", Static)
        if chosen is None:
            detail.update("No incident matches the filter." if self.entries else "")
            return
        entry = self.entries[chosen]
        if entry.problem:
            detail.update(Content.styled(entry.problem, "$error"))
            return
        detail.update(
            Content.assemble(
                (f"{entry.title}\n", "bold"),
                (entry.difficulty, "bold"),
                f", about {entry.minutes} minutes, seed {entry.seed}  ",
                (f"topics: {', '.join(entry.topics)}\n", "$text-muted"),
                ("enter", "bold $accent"),
                " play  ",
                ("/", "bold $accent"),
                " filter  ",
                ("s", "bold $accent"),
                " seed  ",
                ("h", "bold $accent"),
                " history  ",
                ("z", "bold $accent"),
                " quiz  ",
                ("?", "bold $accent"),
                " help",
            )
        )

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_play()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "seed":
            self.action_play()
        else:
            self.query_one("#scenarios", DataTable).focus()

    def action_filter(self) -> None:
        """Type to filter by topic, difficulty or words."""
        self.query_one("#filter", Input).focus()

    def action_seed(self) -> None:
        """Choose a seed (empty keeps the scenario's own)."""
        self.query_one("#seed", Input).focus()

    def action_history(self) -> None:
        """The saved games: resume one, or read a finished one's postmortem."""
        from chaosgame.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_quiz(self) -> None:
        """Practise the interview questions by topic."""
        from chaosgame.tui.screens.quiz import QuizScreen

        self.app.push_screen(QuizScreen(cast("ChaosApp", self.app).initial_seed))

    def action_back(self) -> None:
        """Leave a field."""
        self.query_one("#scenarios", DataTable).focus()

    def action_play(self) -> None:
        """Start the incident under the cursor."""
        chosen = self._chosen_index()
        if chosen is None or self.entries[chosen].problem:
            self.notify("Choose an incident that loads.", severity="warning")
            return
        field = self.query_one("#seed", Input)
        try:
            seed = parse_seed(field.value) if field.value.strip() else None
        except ValueError as exc:  # refused where it is typed: records keep 64-bit seeds
            self.notify(f"Seed {exc}.", severity="error", timeout=10)
            field.focus()
            return
        if chosen in self.loaded:
            cast("ChaosApp", self.app).start_game(self.loaded[chosen], seed)
        else:
            cast("ChaosApp", self.app).working(
                f"Starting: {self.entries[chosen].title}", "Checking the incident's file…"
            )
            self._validate_and_play(chosen, seed)

    @work(thread=True, exclusive=True, group="validate")
    def _validate_and_play(self, chosen: int, seed: int | None) -> None:
        """Validate the whole file now (the list only read its header), then play it."""
        from chaosgame.scenario.loader import ScenarioError, load_scenario

        path = self.entries[chosen].path
        assert path is not None  # entries without a path come with their scenario
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            self.app.call_from_thread(self._unplayable, chosen, str(exc.problems[0]))
            return
        self.app.call_from_thread(self._playable, chosen, scenario, seed)

    def _unplayable(self, chosen: int, problem: str) -> None:
        from dataclasses import replace

        cast("ChaosApp", self.app).done_working()
        self.entries[chosen] = replace(self.entries[chosen], problem=problem)
        self._fill()
        table = self.query_one("#scenarios", DataTable)
        if str(chosen) in table.rows:
            table.move_cursor(row=table.get_row_index(str(chosen)))
        self.notify(
            "This incident's file has a problem; see the line below the list.", severity="error"
        )

    def _playable(self, chosen: int, scenario: Scenario, seed: int | None) -> None:
        self.loaded[chosen] = scenario
        cast("ChaosApp", self.app).start_game(scenario, seed)
