"""A generated 1,000-component incident in the terminal UI: how long each step takes.

Prints the figures (run with ``PYTHONPATH=. python benchmarks/bench_big_incident.py``):

- generating the incident (``chaosgame generate --seed 1 --size 1000``) and validating it;
- opening the game screen: from the app's start to the console drawn (the world runs up to
  the page in a worker meanwhile);
- queries on the console, each from the keypress to the answer drawn: the service map (1,000
  rows), a metric chart, a log search, the timeline;
- keypresses on the map once read: grouping (team, tier, region, call tree), unhealthy only,
  a name filter typed letter by letter, moving the cursor.

Targets: every keypress that only lays out what was read under 0.1 s (the TUI benchmark's
view-switch target); queries under the telemetry benchmark's targets plus the drawing.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = 1000


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


Figure = tuple[float, float]
"""Wall-clock seconds and processor seconds (all threads: what a busy machine does not
inflate)."""


async def timed(pilot: Any, *keys: str) -> Figure:
    """Seconds from pressing ``keys`` until every worker is done and the screen is drawn."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    await pilot.press(*keys)
    await settle(pilot)
    return time.perf_counter() - t0, time.process_time() - cpu0


def median(figures: list[Figure]) -> Figure:
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


async def play(scenario: Any) -> list[tuple[str, Figure]]:
    from textual.widgets import Input

    from chaosgame.tui.app import make_app
    from chaosgame.tui.screens.console import TABS, ConsoleScreen
    from chaosgame.tui.widgets.service_map import ServiceMap

    out: list[tuple[str, Figure]] = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    app = make_app(scenario, None, start="console")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConsoleScreen)
        opened = (time.perf_counter() - t0, time.process_time() - cpu0)
        out.append(("open the game screen (world run up to the page)", opened))
        out.append(("query: the service map (r)", await timed(pilot, "r")))
        m = app.screen.query_one(ServiceMap)
        print(f"  (the map shows {m.row_count} rows, grouped by {m.grouping})")
        comp = scenario.components[1].name

        async def query(tab: str, text: str) -> Figure:
            """Type ``text`` in the tab's field (not timed: typing is the player's), then
            time the enter key until the answer is drawn."""
            await pilot.press(tab)
            await settle(pilot)
            app.screen.query_one(f"#q-{TABS[int(tab) - 1]}", Input).value = text
            app.screen.query_one(f"#q-{TABS[int(tab) - 1]}", Input).focus()
            return await timed(pilot, "enter")

        out.append(
            (f"query: a metric chart ({comp} errors 15m)", await query("2", f"{comp} errors 15m"))
        )
        out.append((f"query: a log search ({comp} error)", await query("3", f"{comp} error")))
        out.append(("query: the timeline (5, r)", await timed(pilot, "5", "r")))
        out.append(("back to the overview (1)", await timed(pilot, "1")))
        for grouping in ("tier", "region", "tree", "team"):
            out.append((f"key: group the map by {grouping} (g)", await timed(pilot, "g")))
            assert m.grouping == grouping
        out.append(("key: unhealthy only (u)", await timed(pilot, "u")))
        out.append(("key: all again (u)", await timed(pilot, "u")))
        letters = [await timed(pilot, key) for key in ("n", *comp[:4])]
        out.append(
            (f"key: name filter, per letter of '{comp[:4]}' (median)", statistics.median(letters))
        )
        out.append(
            ("key: clear the filter and back to the map", await timed(pilot, "ctrl+u", "escape"))
        )
        moves = [await timed(pilot, "down") for _ in range(10)]
        out.append(("key: cursor down on the map (median of 10)", median(moves)))
    return out


async def small() -> Figure:
    """The same cursor move on a 20-component map: what the test pilot itself costs."""
    from chaosgame.generate.build import generate_scenario
    from chaosgame.generate.codes import SeedCode
    from chaosgame.tui.app import make_app

    app = make_app(generate_scenario(SeedCode(1), 20), None, start="console")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await timed(pilot, "r")
        return median([await timed(pilot, "down") for _ in range(10)])


def main() -> None:
    from chaosgame.generate.build import generate_scenario
    from chaosgame.generate.codes import SeedCode

    t0, cpu0 = time.perf_counter(), time.process_time()
    scenario = generate_scenario(SeedCode(1), SIZE)
    made = (time.perf_counter() - t0, time.process_time() - cpu0)
    print(f"generated incident: {scenario.id}, {len(scenario.components)} components")
    print(f"  {'step':<56} {'wall':>8} {'cpu':>8}")
    rows = [("generate and validate", made), *asyncio.run(play(scenario))]
    rows.append(("for comparison: cursor down on a 20-component map", asyncio.run(small())))
    for label, (wall, cpu) in rows:
        print(f"  {label:<56} {wall * 1000:6.0f} ms {cpu * 1000:5.0f} ms")


if __name__ == "__main__":
    main()
