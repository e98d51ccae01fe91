"""A view switch keeps what was drawn: the map's cells are not rendered again on a round trip
between tabs (the time it takes is measured by ``benchmarks/bench_tui.py``), and a new theme
still redraws them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.widgets.service_map import ServiceMap
from tests.tui.conftest import press, run_async, settle


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Row numbers of the map's cells as they are rendered (from nothing, not from a cache)."""
    rows: list[int] = []
    render_cell = DataTable._render_cell

    def counted(self: DataTable[Any], row: int, *args: Any, **kwargs: Any) -> Any:
        if isinstance(self, ServiceMap):
            rows.append(row)
        return render_cell(self, row, *args, **kwargs)

    monkeypatch.setattr(DataTable, "_render_cell", counted)
    return rows


@run_async
async def test_the_map_is_not_rendered_again_after_a_tab_round_trip(
    app_factory: Callable[..., ChaosApp], rendered: list[int]
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        for key in ("2", "1", "5", "1"):  # each state (focused, not) is seen once
            await press(pilot, key)
        before = len(rendered)
        for key in ("2", "1", "3", "1", "5", "1"):
            await press(pilot, key)
        assert len(rendered) == before  # every cell came from the table's caches
        service_map = app.screen.query_one(ServiceMap)
        await press(pilot, "down")
        assert len(rendered) > before  # the cursor moved: its rows are drawn anew
        assert service_map.selected_component() is not None


@run_async
async def test_a_new_theme_redraws_the_map(
    app_factory: Callable[..., ChaosApp], rendered: list[int]
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "2", "1")
        service_map = app.screen.query_one(ServiceMap)
        dark = [service_map.render_line(y) for y in range(3)]
        before = len(rendered)
        await press(pilot, "ctrl+t")
        assert len(rendered) > before
        light = [service_map.render_line(y) for y in range(3)]
        assert [s.text for s in dark] == [s.text for s in light]
        assert [list(s) for s in dark] != [list(s) for s in light]  # same words, new colours
