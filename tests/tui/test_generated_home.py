"""The home screen's generated incidents: a new one (difficulty and topic pickers), today's,
and a seed code to type, above the curated library; the briefing shows the code and the
difficulty estimate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from chaosgame.generate import menu
from chaosgame.generate.build import GenerateError, generate_scenario
from chaosgame.generate.codes import SeedCode, daily
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.briefing import BriefingScreen
from chaosgame.tui.screens.home import CODE, DAILY, NEW, HomeScreen
from chaosgame.tui.screens.seed_code import SeedCodeDialog
from tests.tui.conftest import SEED, TODAY, press, run_async, screen_lines, settle


def _rows(app: ChaosApp) -> list[str]:
    table = app.screen.query_one("#scenarios", DataTable)
    return [str(table.coordinate_to_cell_key((r, 0)).row_key.value) for r in range(table.row_count)]


def _cells(app: ChaosApp, key: str) -> list[str]:
    return [str(c) for c in app.screen.query_one("#scenarios", DataTable).get_row(key)]


def _briefing(app: ChaosApp) -> str:
    return "\n".join(screen_lines(app))


@run_async
async def test_generated_entries_come_first_then_the_library(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert _rows(app) == [NEW, DAILY, CODE, "0"]
        assert _cells(app, NEW)[:4] == ["New generated incident", "normal", "15", "any topic"]
        today = daily(TODAY)
        assert _cells(app, DAILY)[:2] == [f"Today's incident ({today.code})", today.difficulty]
        assert _cells(app, CODE)[0] == "Play a seed code…"
        assert app.screen._chosen_key() == NEW  # the cursor starts on the new incident
        detail = str(app.screen.query_one("#detail").render())
        assert detail.startswith("A new generated incident\nnormal, any topic, seed 7")


@run_async
async def test_the_pickers_choose_the_new_incidents_difficulty_and_topic(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d")  # the difficulty picker opens on the current one
        assert app.screen.query_one("#difficulty", Select).expanded
        await press(pilot, "down", "enter")
        await press(pilot, "t", "down", "enter")  # the first topic after "any topic"
        assert _cells(app, NEW)[1:4] == ["hard", "25", "deploy-strategies"]
        await press(pilot, "escape")  # back to the list, the cursor still on the new one
        await press(pilot, "enter")
        assert isinstance(app.screen, BriefingScreen)
        code = SeedCode(SEED, "hard", "deploy-strategies")  # the seed field's seed
        assert app.game is not None
        assert app.game.scenario_id == generate_scenario(code).id
        assert app.about is not None
        assert app.about.code == code.code
        text = _briefing(app)
        assert f"Seed code {code.code} (hard, deploy-strategies," in text
        assert "Difficulty estimate " in text


@run_async
async def test_an_empty_seed_field_gives_a_fresh_incident(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(seed=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "a fresh seed" in str(app.screen.query_one("#detail").render())
        await press(pilot, "enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.about is not None
        assert app.about.code is not None
        made = menu.read(app.about.code)
        assert (made.difficulty, made.topic) == ("normal", None)
        assert app.game is not None
        assert app.game.seed == made.seed  # the incident's own seed: the code's


@run_async
async def test_todays_entry_plays_the_days_code(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down")
        assert f"the same for everyone on {TODAY.isoformat()}" in str(
            app.screen.query_one("#detail").render()
        )
        await press(pilot, "enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.about is not None
        assert app.about.code == daily(TODAY).code
        assert app.game is not None
        assert app.game.scenario_id == generate_scenario(daily(TODAY)).id


@run_async
async def test_a_typed_code_is_checked_in_the_dialog_then_played(
    app_factory: Callable[..., ChaosApp],
) -> None:
    code = SeedCode(11, "easy")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down", "enter")
        assert isinstance(app.screen, SeedCodeDialog)
        wrong = code.code[:-1] + ("A" if code.code[-1] != "A" else "B")
        await press(pilot, *wrong, "enter")
        assert isinstance(app.screen, SeedCodeDialog)  # still asking, with the reason
        problem = str(app.screen.query_one("#code-problem").render())
        assert problem == f"'{wrong}' is not a valid seed code (a character is mistyped)"
        field = app.screen.query_one("#code", Input)
        field.value = code.code.lower()  # read aloud and typed in lower case: the same code
        await press(pilot, "enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.about is not None
        assert app.about.code == code.code


@run_async
async def test_escape_leaves_the_code_dialog_and_c_opens_it(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, SeedCodeDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None


@run_async
async def test_a_seed_the_generator_cannot_take_is_refused_at_the_seed_field(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(seed=99_999_999_999)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None
        said = [n.message for n in app._notifications]
        assert any("out of range (0 to 67,108,863)" in m for m in said)
        assert app.focused is not None
        assert app.focused.id == "seed"


@run_async
async def test_an_incident_that_cannot_be_generated_is_a_message(
    app_factory: Callable[..., ChaosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fit(code: SeedCode, size: int | None = None) -> Any:
        raise GenerateError(f"no fault kind teaches topic {code.topic}")

    monkeypatch.setattr(menu, "build", no_fit)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None
        said = [n.message for n in app._notifications]
        assert any("could not be generated: no fault kind teaches topic" in m for m in said)


@run_async
async def test_the_filter_hides_generated_rows_that_do_not_match(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"generated", "enter")
        assert _rows(app) == [NEW, DAILY, CODE]
        await press(pilot, "slash", *["backspace"] * 9, *"payment", "enter")
        assert _rows(app) == ["0"]


@pytest.mark.parametrize("keys", [(), ("t",)], ids=["home", "topic_picker"])
def test_home_snapshot_80x24(
    keys: tuple[str, ...], app_factory: Callable[..., ChaosApp], snap_compare: Any
) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await press(pilot, key)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await settle(pilot)

    app = app_factory()  # a fixed library of one, and a fixed date for today's incident
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_a_big_fleets_briefing_lists_its_first_components_and_counts_the_rest() -> None:
    from chaosgame.tui.screens.briefing import components_text

    names = [f"svc-{n}" for n in range(1001)]
    text = components_text(names)
    assert text.startswith("svc-0, svc-1, ")
    assert text.endswith(", svc-29 and 971 more (the map groups them by team)")
    assert components_text(names[:5]) == "svc-0, svc-1, svc-2, svc-3, svc-4"
