"""At 80x24 nothing important is cut; at 120x36 the incident list shows whole titles."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Input, OptionList

from chaosgame.scenario.index import read_index
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.console import HINTS, PLACEHOLDERS, TABS
from chaosgame.tui.screens.home import HomeScreen, clip_words
from chaosgame.tui.widgets.logs import LogExplorer
from chaosgame.tui.widgets.status import StatusBar
from chaosgame.tui.widgets.traces import TraceView
from tests.tui.conftest import LIBRARY, press, run_async, screen_lines, settle


def _cells(table: DataTable[object], column: int) -> list[str]:
    """A column's cells in the curated rows (below the generated incidents' three)."""
    return [str(table.get_row_at(r)[column]) for r in range(len(LIBRARY), table.row_count)]


def test_clipping_happens_between_words() -> None:
    assert clip_words("Checkout hangs at delivery options", 20) == "Checkout hangs at…"
    assert clip_words("short", 20) == "short"
    assert clip_words("ci-cd, containers, deploy-strategies", 22, ", ") == "ci-cd, containers…"
    assert clip_words("Supercalifragilistic", 8) == "Superca…"  # one long word: no choice


@run_async
async def test_home_at_80x24_cuts_titles_between_words_and_shows_the_whole_title(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(library=read_index())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        screen = app.screen
        table = screen.query_one("#scenarios", DataTable)
        titles = {e.title for e in screen.entries}
        width = table.columns["incident"].width
        for cell in _cells(table, 0):
            assert len(cell) <= width
            if cell not in titles:  # cut: at a word's end, and the words kept are the title's
                assert cell.endswith("…")
                kept = cell[:-1]
                assert any(t.startswith(kept) and t[len(kept)] in " ,;:" for t in titles), cell
        await press(pilot, *LIBRARY[1:])
        for _ in range(3):
            await press(pilot, "down")
            chosen = screen.entries[screen._chosen_index() or 0]
            assert str(screen.query_one("#detail").render()).startswith(chosen.title + "\n")
        detail = screen.query_one("#detail")
        assert detail.region.bottom <= screen.query_one("KeyFooter").region.y
        hint = str(detail.render()).splitlines()[-1]
        assert "enter play" in hint
        assert "? help" in hint


@run_async
async def test_home_at_120x36_shows_every_title_whole(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory(library=read_index())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one("#scenarios", DataTable)
        assert _cells(table, 0) == [e.title for e in screen.entries]
        rows = screen_lines(app)[table.region.y + 1 + len(LIBRARY) : table.region.bottom]
        for entry, row in zip(screen.entries, rows, strict=False):
            assert f" {entry.title} " in row  # drawn whole, not cut by the column
        for cell in _cells(table, 3):  # topics: whole topics only
            assert not cell.endswith("…") or cell[:-1].endswith(
                tuple(t for e in screen.entries for t in e.topics)
            )


@run_async
async def test_console_hints_fit_at_80x24(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        field = app.screen.query_one("#q-overview", Input)
        assert screen_lines(app)[field.region.y].strip() == PLACEHOLDERS["overview"]
        status = app.screen.query_one(StatusBar)
        for n, tab in enumerate(TABS):
            await press(pilot, str(n + 1))
            shown = status.render_line(0).text
            assert HINTS[tab] in shown, tab
            assert app.snapshot is not None
            assert app.snapshot.observation["clock"] in shown
            assert "left" in shown


@run_async
async def test_log_records_are_one_per_line_and_wrap_on_demand(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "slash", *"payments error", "enter")
        explorer = app.screen.query_one(LogExplorer)

        def records() -> int:
            box = explorer.region
            lines = screen_lines(app)[box.y : box.bottom]
            return sum(line[box.x :].startswith('{"ts"') for line in lines)

        assert records() >= 12  # a screenful of records, not four split ones
        header = str(explorer.query_one(".header").render())
        assert "86,242 matching lines" in header or "matching lines" in header
        assert "v wraps" in header
        first = explorer.scroll_x
        await press(pilot, "right")
        assert explorer.scroll_x > first  # sideways, to read the rest of a record
        await press(pilot, "v")
        assert records() < 12  # wrapped: every field readable without scrolling


@run_async
async def test_the_traces_tab_uses_its_space(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "slash", *"checkout status=error", "enter")
        view = app.screen.query_one(TraceView)
        listing = view.query_one("#trace-list", OptionList)
        assert listing.option_count > 20
        # the list fills the tab down to the message line
        assert listing.region.bottom == view.region.bottom
        assert listing.region.height >= 14
        rows = screen_lines(app)[listing.region.y : listing.region.bottom]
        assert "payments: internal error" in rows[0]  # the first error, whole, at 80 columns
        await press(pilot, "down", "enter")
        body = view.query_one("#trace-scroll")
        assert 3 <= listing.region.height <= 5  # a few rows of the list stay for context
        assert body.region.bottom == view.region.bottom  # the waterfall takes the rest
        text = "\n".join(screen_lines(app)[body.region.y : body.region.bottom])
        assert "payments handle checkout " in text  # span names whole
        bars = [line for line in text.splitlines() if "█" in line or "▆" in line]
        assert max(len(line.rstrip()) for line in bars) >= 74  # bars run across the width
