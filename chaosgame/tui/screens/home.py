"""Home: pick a curated incident (filter by topic and difficulty), choose a seed, start."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario
    from chaosgame.tui.app import ChaosApp


def load_library() -> list[tuple[dict[str, Any], Scenario | None, str]]:
    """Every curated scenario as ``(row, scenario, problem)``; a broken file is a row too."""
    from chaosgame.scenario import library
    from chaosgame.scenario.loader import ScenarioError, load_scenario

    out: list[tuple[dict[str, Any], Scenario | None, str]] = []
    for path in library.scenario_paths():
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            out.append(
                ({"id": path.stem, "title": "(cannot be loaded)"}, None, str(exc.problems[0]))
            )
            continue
        out.append((row_of(sc), sc, ""))
    return out


def row_of(sc: Scenario) -> dict[str, Any]:
    """What the home table shows of a scenario."""
    return {
        "id": sc.id,
        "title": sc.title,
        "topics": [str(t) for t in sc.topics],
        "difficulty": sc.difficulty,
        "minutes": sc.expected_minutes,
        "seed": sc.seed,
    }


def matches(row: dict[str, Any], text: str) -> bool:
    """Every word of ``text`` is a topic, the difficulty, or part of the id or title."""
    hay = " ".join(
        [row["id"], row.get("title", ""), row.get("difficulty", ""), *row.get("topics", [])]
    ).lower()
    return all(word in hay for word in text.lower().split())


class HomeScreen(Screen[None]):
    """The list of incidents; enter plays the one under the cursor."""

    BINDINGS = [
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("s", "seed", "seed"),
        Binding("r", "app.resume", "resume"),
        Binding("enter", "play", "play", show=True),
        Binding("escape", "back", "back", show=False),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        library: list[Scenario] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.extra = scenario
        self.initial_seed = seed
        self.entries: list[tuple[dict[str, Any], Scenario | None, str]] = []

    def compose(self) -> ComposeResult:
        """Title, filters, the table and a detail line."""
        with Vertical(id="home"):
            yield Static(
                Content.assemble(
                    ("chaosgame", "bold $accent"),
                    "  on-call training: pick an incident, find the cause, stop the bleeding",
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
            yield Static("Loading the incident library…", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        """Columns now; the library loads in a worker."""
        table = self.query_one("#scenarios", DataTable)
        for label, width in (("incident", 38), ("level", 6), ("min", 3), ("topics", 40)):
            table.add_column(label, width=width, key=label)
        table.focus()
        self.call_after_refresh(self._load)  # draw first, then read the library

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        if self.library is None:
            entries = load_library()
        else:
            entries = [(row_of(sc), sc, "") for sc in self.library]
        if self.extra is not None and all(r["id"] != self.extra.id for r, _, _ in entries):
            entries.insert(0, (row_of(self.extra), self.extra, ""))
        self.app.call_from_thread(self._loaded, entries)

    def _loaded(self, entries: list[tuple[dict[str, Any], Scenario | None, str]]) -> None:
        self.entries = entries
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        text = self.query_one("#filter", Input).value
        table.clear()
        for n, (row, _, problem) in enumerate(self.entries):
            if not matches(row, text):
                continue
            title = Content.styled(row["title"], "$error" if problem else "")
            table.add_row(
                title,
                row.get("difficulty", "?"),
                str(row.get("minutes", "?")),
                ", ".join(row.get("topics", [])),
                key=str(n),
            )
        if self.extra is not None:
            for i, (row, _, _) in enumerate(self.entries):
                if row["id"] == self.extra.id and str(i) in table.rows:
                    table.move_cursor(row=table.get_row_index(str(i)))
        self._detail()

    def _chosen(self) -> tuple[dict[str, Any], Scenario | None, str] | None:
        table = self.query_one("#scenarios", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.entries[int(str(key))]

    def _detail(self) -> None:
        chosen = self._chosen()
        detail = self.query_one("#detail", Static)
        if chosen is None:
            detail.update("No incident matches the filter." if self.entries else "")
            return
        row, _, problem = chosen
        if problem:
            detail.update(Content.styled(problem, "$error"))
            return
        detail.update(
            Content.assemble(
                (row["id"], "bold"),
                f"  {row['difficulty']}, about {row['minutes']} minutes, seed {row['seed']}\n",
                ("enter", "bold $accent"),
                " play  ",
                ("/", "bold $accent"),
                " filter  ",
                ("s", "bold $accent"),
                " seed  ",
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

    def action_back(self) -> None:
        """Leave a field."""
        self.query_one("#scenarios", DataTable).focus()

    def action_play(self) -> None:
        """Start the incident under the cursor."""
        chosen = self._chosen()
        if chosen is None or chosen[1] is None:
            self.notify("Choose an incident that loads.", severity="warning")
            return
        text = self.query_one("#seed", Input).value.strip()
        seed = int(text) if text.lstrip("-").isdigit() else None
        cast("ChaosApp", self.app).start_game(chosen[1], seed)
