"""Home: a new generated incident (difficulty and topic pickers), today's incident, a seed
code to type, then the curated incidents (filter by topic and difficulty); choose a seed,
start."""

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
from chaosgame.generate import menu
from chaosgame.scenario.index import Entry
from chaosgame.tui.widgets.footer import KeyFooter
from chaosgame.tui.widgets.pickers import GeneratorPickers

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


NEW, DAILY, CODE = "new", "daily", "code"
"""The keys of the generated incidents' rows (the curated rows are keyed by number)."""


class HomeScreen(Screen[None]):
    """The list of incidents; enter plays the one under the cursor."""

    BINDINGS = [
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("s", "seed", "seed"),
        Binding("c", "code", "code", show=False),
        Binding("d", "pick('difficulty')", "difficulty", show=False),
        Binding("t", "pick('topic')", "topic", show=False),
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
        self.daily: menu.SeedCode | None = None
        """Today's incident (its date is the app's ``daily_date``)."""

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
            with Horizontal(classes="field", id="home-filter"):
                yield Label("filter ")
                yield Input(placeholder="topic, difficulty or words (e.g. slo easy)", id="filter")
                yield Label(" seed ")
                yield Input(
                    "" if self.initial_seed is None else str(self.initial_seed),
                    placeholder="scenario's",
                    id="seed",
                    type="integer",
                )
            yield GeneratorPickers()
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Columns, then the list."""
        table = self.query_one("#scenarios", DataTable)
        table.focus()
        self.daily = menu.daily_code(cast("ChaosApp", self.app).daily_date)
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
        longest = max(longest, *(len(str(row[0])) for _, row, _ in self._generated()))
        title = max(min(longest, room - 20), min(room, 24))
        return title, max(room - title, 6)

    def _fill(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        text = self.query_one("#filter", Input).value
        title_w, topics_w = self._widths()
        before = self._chosen_key() if table.columns else None
        table.clear(columns=True)
        for label, width in (
            ("incident", title_w),
            ("level", 6),
            ("min", 3),
            ("topics", topics_w),
        ):
            table.add_column(label, width=width, key=label)
        for key, cells, hay in self._generated():
            if matches(hay, text):
                title, level, minutes, topics = cells
                table.add_row(
                    Content.styled(clip_words(title, title_w), "bold"),
                    level,
                    minutes,
                    clip_words(topics, topics_w, sep=", "),
                    key=key,
                )
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
        if before is not None and before in table.rows:
            table.move_cursor(row=table.get_row_index(before))
        elif self.extra is not None:
            for i, entry in enumerate(self.entries):
                if entry.id == self.extra.id and str(i) in table.rows:
                    table.move_cursor(row=table.get_row_index(str(i)))
        self._detail()

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        if self.entries:
            self._fill()

    def _generated(self) -> list[tuple[str, tuple[str, str, str, str], dict[str, Any]]]:
        """The generated incidents' rows: ``(key, cells, what the filter reads)``."""
        if self.daily is None:  # before the screen is mounted
            return []
        pickers = self.query_one(GeneratorPickers)
        level, topic = pickers.difficulty, pickers.topic or "any topic"
        daily = self.daily
        rows = [
            (NEW, ("New generated incident", level, str(menu.MINUTES[level]), topic)),
            (
                DAILY,
                (
                    f"Today's incident ({daily.code})",
                    daily.difficulty,
                    str(menu.MINUTES[daily.difficulty]),
                    "any topic",
                ),
            ),
            (CODE, ("Play a seed code…", "", "", "a shared code")),
        ]
        return [
            (
                key,
                cells,
                {"title": f"{cells[0]} generated", "difficulty": cells[1], "topics": [cells[3]]},
            )
            for key, cells in rows
        ]

    def _chosen_key(self) -> str | None:
        """The key of the row under the cursor: a generated row's, or a curated entry's
        number."""
        table = self.query_one("#scenarios", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _chosen_index(self) -> int | None:
        """The curated entry under the cursor (None on a generated row)."""
        key = self._chosen_key()
        return int(key) if key is not None and key.isdigit() else None

    def _detail(self) -> None:
        key = self._chosen_key()
        detail = self.query_one("#detail", Static)
        if key is None:
            detail.update("No incident matches the filter." if self.entries else "")
            return
        if not key.isdigit():
            detail.update(self._generated_detail(key))
            return
        chosen = int(key)
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

    def _generated_detail(self, key: str) -> Content:
        """What a generated row plays, and its keys."""
        keys = Content.assemble(
            ("enter", "bold $accent"),
            " play  ",
            ("d", "bold $accent"),
            " difficulty  ",
            ("t", "bold $accent"),
            " topic  ",
            ("c", "bold $accent"),
            " code  ",
            ("s", "bold $accent"),
            " seed  ",
            ("?", "bold $accent"),
            " help",
        )
        if key == NEW:
            pickers = self.query_one(GeneratorPickers)
            seed = self.query_one("#seed", Input).value.strip()
            return Content.assemble(
                ("A new generated incident\n", "bold"),
                (pickers.difficulty, "bold"),
                f", {pickers.topic or 'any topic'}, "
                + (f"seed {seed}" if seed else "a fresh seed (s: choose one)")
                + "; the briefing shows its code\n",
                keys,
            )
        if key == DAILY and self.daily is not None:
            date = cast("ChaosApp", self.app).daily_date
            return Content.assemble(
                (f"Today's incident: seed code {self.daily.code}\n", "bold"),
                (self.daily.difficulty, "bold"),
                f", the same for everyone on {date.isoformat()} (UTC)\n",
                keys,
            )
        return Content.assemble(
            ("Play a seed code\n", "bold"),
            "Type the code someone shared (such as K7F3-QX2M), or a number\n",
            keys,
        )

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(GeneratorPickers.Changed)
    def _picked(self) -> None:
        self._fill()

    @on(Input.Changed, "#seed")
    def _seed_changed(self) -> None:
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

    def action_pick(self, which: str) -> None:
        """Open the difficulty or the topic picker of a new generated incident."""
        from textual.widgets import Select

        select = self.query_one(f"#{which}", Select)
        select.focus()
        select.expanded = True

    def action_code(self) -> None:
        """Type a seed code to play."""
        from chaosgame.tui.screens.seed_code import SeedCodeDialog

        pickers = self.query_one(GeneratorPickers)

        def chosen(code: menu.SeedCode | None) -> None:
            if code is not None:
                self.play_generated(code)

        self.app.push_screen(SeedCodeDialog(pickers.difficulty, pickers.topic), chosen)

    def play_generated(self, code: menu.SeedCode) -> None:
        """Generate the incident of ``code`` in a worker, then start it."""
        cast("ChaosApp", self.app).working(
            f"Generating the incident of seed code {code.code}",
            "Growing the fleet, its history and what goes wrong…",
        )
        self._generate_and_play(code)

    @work(thread=True, exclusive=True, group="generate")
    def _generate_and_play(self, code: menu.SeedCode) -> None:
        try:
            scenario = menu.build(code)
        except Exception as exc:  # settings no fault fits, or a generator bug: a message
            self.app.call_from_thread(self._not_generated, code, str(exc) or type(exc).__name__)
            return
        self.app.call_from_thread(cast("ChaosApp", self.app).start_game, scenario, None)

    def _not_generated(self, code: menu.SeedCode, why: str) -> None:
        cast("ChaosApp", self.app).done_working()
        self.notify(
            f"Seed code {code.code} could not be generated: {why}",
            severity="error",
            timeout=10,
            markup=False,
        )

    def _seed(self) -> tuple[bool, int | None]:
        """The seed field's seed (None when empty); False when it is refused."""
        field = self.query_one("#seed", Input)
        try:
            return True, parse_seed(field.value) if field.value.strip() else None
        except ValueError as exc:  # refused where it is typed: records keep 64-bit seeds
            self.notify(f"Seed {exc}.", severity="error", timeout=10, markup=False)
            field.focus()
            return False, None

    def _play_key(self, key: str) -> None:
        """Play a generated row: a new incident, today's, or a code to type."""
        if key == CODE:
            self.action_code()
            return
        if key == DAILY and self.daily is not None:
            self.play_generated(self.daily)
            return
        ok, seed = self._seed()
        if not ok:
            return
        pickers = self.query_one(GeneratorPickers)
        try:
            code = menu.fresh(pickers.difficulty, pickers.topic, seed)
        except menu.CodeError as exc:
            self.notify(str(exc), severity="error", timeout=10, markup=False)
            self.query_one("#seed", Input).focus()
            return
        self.play_generated(code)

    def action_play(self) -> None:
        """Start the incident under the cursor."""
        key = self._chosen_key()
        if key is not None and not key.isdigit():
            self._play_key(key)
            return
        chosen = self._chosen_index()
        if chosen is None or self.entries[chosen].problem:
            self.notify("Choose an incident that loads.", severity="warning")
            return
        ok, seed = self._seed()
        if not ok:
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
