"""The service map of a big fleet: grouped by team, tier or region (troubled groups first,
healthy ones folded) and filtered by name or to the unhealthy components, at no simulated
time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from chaosgame.generate.build import generate_scenario
from chaosgame.generate.codes import SeedCode
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.widgets.service_map import GROUP_ROWS, MapPanel, MapRow, ServiceMap, map_rows
from tests.tui.conftest import press, run_async, settle


def _comp(name: str, team: str, health: str = "ok", kind: str = "service") -> dict[str, Any]:
    return {"name": name, "team": team, "region": "eu", "kind": kind, "health": health}


RESULT: dict[str, Any] = {
    "components": [
        _comp("edge", "platform", kind="gateway"),
        _comp("cart", "shop", "degraded"),
        _comp("pay", "payments", "failing"),
        _comp("ledger", "payments"),
        _comp("orders-db", "shop", kind="database"),
        _comp("search", "discovery"),
    ],
    "edges": [
        {"from": "edge", "to": "cart"},
        {"from": "cart", "to": "pay"},
        {"from": "pay", "to": "ledger"},
        {"from": "cart", "to": "orders-db"},
        {"from": "edge", "to": "search"},
    ],
}


def _names(rows: list[MapRow]) -> list[str]:
    return [f"[{r.group}]" if r.group else r.name for r in rows]


def test_groups_come_worst_first_and_healthy_groups_are_folded() -> None:
    rows = map_rows(RESULT, "team")
    assert _names(rows) == [
        "[payments]",
        "pay",
        "ledger",
        "[shop]",
        "cart",
        "orders-db",
        "[discovery]",
        "[platform]",
    ]
    head = rows[0]
    assert (head.size, head.failing, head.degraded, head.folded) == (2, 1, 0, False)
    assert rows[-1].folded
    unfolded = map_rows(RESULT, "team", toggled=frozenset({"platform", "payments"}))
    assert _names(unfolded) == [
        "[payments]",
        "[shop]",
        "cart",
        "orders-db",
        "[discovery]",
        "[platform]",
        "edge",
    ]


def test_tiers_and_regions_group_by_kind_and_place() -> None:
    tiers = [r.group for r in map_rows(RESULT, "tier") if r.group]
    assert tiers == ["services", "data", "edge"]  # the failing and degraded tier first
    assert [r.group for r in map_rows(RESULT, "region") if r.group] == ["eu"]


def test_filters_keep_names_with_every_word_and_the_unhealthy() -> None:
    assert _names(map_rows(RESULT, "tree", "a")) == ["cart", "pay", "search"]
    assert _names(map_rows(RESULT, "tree", "A  R")) == ["cart", "search"]
    assert _names(map_rows(RESULT, "tree", unhealthy=True)) == ["cart", "pay"]
    # a filter shows every match, in healthy groups too (ordered by the matches' health)
    assert _names(map_rows(RESULT, "team", "e")) == [
        "[discovery]",
        "search",
        "[payments]",
        "ledger",
        "[platform]",
        "edge",
        "[shop]",
        "orders-db",
    ]
    assert map_rows(RESULT, "team", "nothing-has-this") == []


def test_the_call_tree_is_unchanged_without_a_filter() -> None:
    rows = map_rows(RESULT)
    assert [(r.depth, r.name) for r in rows] == [
        (0, "edge"),
        (1, "cart"),
        (2, "pay"),
        (3, "ledger"),
        (2, "orders-db"),
        (1, "search"),
    ]


def test_a_big_group_lists_its_worst_and_counts_the_rest() -> None:
    comps = [_comp(f"svc-{n:03d}", "big", "failing" if n == 77 else "ok") for n in range(100)]
    rows = map_rows({"components": comps, "edges": []}, "team")
    assert rows[0].group == "big"
    assert rows[1].name == "svc-077"  # the failing one first
    assert len(rows) == 1 + GROUP_ROWS + 1
    assert rows[-1].more == 100 - GROUP_ROWS


@run_async
async def test_a_big_generated_fleet_groups_and_filters_on_the_console(
    app_factory: Callable[..., ChaosApp],
) -> None:
    sc = generate_scenario(SeedCode(1), size=120)
    app = app_factory(sc, None, start="console")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        assert app.game is not None
        spent = app.game.view.now
        snap = app.snapshot
        assert snap is not None
        assert snap.map is not None
        teams = {c.name: c.team for c in sc.components}
        assert all(c["team"] == teams[c["name"]] for c in snap.map["components"])
        panel = app.screen.query_one(MapPanel)
        m = app.screen.query_one(ServiceMap)
        assert panel.has_class("-bar")  # a big fleet: the bar is shown
        assert m.grouping == "team"  # and the map starts grouped
        state = str(app.screen.query_one("#map-state", Static).render())
        assert state.startswith(f"{len(sc.components)} components · by team")
        assert m.row_count < len(sc.components)  # the healthy teams are folded
        await press(pilot, "g")
        assert m.grouping == "tier"
        await press(pilot, "u")
        listed = [str(k.value) for k in m.rows if k.value and not str(k.value).startswith("group:")]
        unhealthy = {c["name"] for c in snap.map["components"] if c["health"] != "ok"}
        assert listed
        assert set(listed) == unhealthy
        await press(pilot, "u", "g", "g")  # all again, by region, then the call tree
        assert m.grouping == "tree"
        assert m.row_count >= len(sc.components)
        name = sc.components[5].name
        await press(pilot, "n", *name, "enter")
        assert app.focused is m  # back on the map, the filter kept
        assert m.selected_component() == name
        await press(pilot, "g")  # grouped: enter on a group's header folds it
        m.move_cursor(row=0)
        before = m.row_count
        await press(pilot, "enter")
        assert m.row_count < before
        assert app.game.view.now == spent  # laying the map out costs no simulated time
