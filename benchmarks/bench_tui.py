"""TUI speed: cold start to the first drawn screen, and a view switch on a 100-component fleet.

Prints the figures (run with ``python benchmarks/bench_tui.py``):

- cold start of ``chaosgame play`` (run records opened, the app started) to its first useful
  screen, the home screen with the incident list filled, in a fresh interpreter, against a
  minimal Textual app started the same way in the same run (target: at most 1.5x);
- a keypress that changes the console's tab on ``fleet(100)``, until the first frame that
  shows the new tab is written (target: within 100 ms).
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

FRAME_PROBE = """
import time
t0 = time.perf_counter()
from textual.app import App
FIRST = []
_display = App._display
def _probe(self, screen, *args):  # the first frame handed to the terminal driver
    if not FIRST:
        FIRST.append(time.perf_counter() - t0)
    return _display(self, screen, *args)
App._display = _probe
"""
"""Both snippets start with this: the clock starts before Textual is imported, and the time
of the first frame written is kept."""

MINIMAL = (
    FRAME_PROBE
    + """
from textual.widgets import Footer, Static
class Minimal(App):
    def compose(self):
        yield Static("hello")
        yield Footer()
async def main():
    app = Minimal()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(FIRST[0], time.perf_counter() - t0)
import asyncio; asyncio.run(main())
"""
)

CHAOS = (
    FRAME_PROBE
    + """
import argparse, asyncio
from chaosgame.game.runs_cli import play_records
from chaosgame.tui.app import make_app
async def main():
    # what `chaosgame play` does in a terminal: the run records (default place), then the app
    store, resume = play_records(argparse.Namespace(no_record=False, records=None, resume=None))
    app = make_app(store=store, resume=resume)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one("#scenarios").row_count > 0  # the list is in the first frame
        await pilot.pause()
        print(FIRST[0], time.perf_counter() - t0)
asyncio.run(main())
"""
)


CACHE = tempfile.mkdtemp(prefix="chaosgame-bench-cache-")
"""The library's header cache for these starts (empty at the first one)."""
atexit.register(shutil.rmtree, CACHE, True)


def _start(code: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CHAOSGAME_CACHE": CACHE},
    )
    first, idle = out.stdout.strip().splitlines()[-1].split()
    return float(first), float(idle)


def cold(runs: int = 7) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median seconds from the start of each snippet to its first frame, and to the app
    settled (the test pilot's pause: no work left to do). The two apps start alternately, so
    a busy moment of the machine weighs on both alike."""
    minimal, chaos = [], []
    for _ in range(runs):
        minimal.append(_start(MINIMAL))
        chaos.append(_start(CHAOS))

    def med(xs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(x[0] for x in xs), statistics.median(x[1] for x in xs)

    return med(minimal), med(chaos)


async def view_switch(runs: int = 20) -> list[tuple[float, float]]:
    """Milliseconds from a tab key to the first frame written that shows the new tab, on a
    100-component fleet (the tab underline's animation may go on after that frame), with the
    processor time the app's thread spent meanwhile (what a busy machine does not inflate)."""
    sys.path.insert(0, str(ROOT))
    from textual.widgets import TabbedContent, TabPane

    from chaosgame.generate.topology import fleet
    from chaosgame.tui.app import make_app
    from chaosgame.tui.screens.console import TABS

    app = make_app(fleet(100), start="console")
    frames: list[tuple[float, str]] = []
    display = app._display

    def probe(screen: Any, *args: Any) -> None:
        shown = [p.id or "" for p in screen.query(TabPane) if p.region.area]
        frames.append((time.perf_counter(), shown[0] if len(shown) == 1 else ""))
        display(screen, *args)

    app._display = probe  # type: ignore[method-assign,assignment]
    out = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("r")  # read the 100-row map first
        await app.workers.wait_for_complete()
        await pilot.pause()
        tabs = app.screen.query_one(TabbedContent)
        keys = ["5", "1", "2", "1"]
        for n in range(runs):
            key = keys[n % len(keys)]
            want = TABS[int(key) - 1]
            frames.clear()
            t0, cpu0 = time.perf_counter(), time.thread_time()
            app.simulate_key(key)  # no waiting for animations, unlike the pilot's press
            while not any(tab == want for _, tab in frames):
                await asyncio.sleep(0)
                if time.perf_counter() - t0 > 5:
                    raise RuntimeError(f"tab {want} never shown (active: {tabs.active})")
            first = next(t for t, tab in frames if tab == want)
            out.append(((first - t0) * 1000, (time.thread_time() - cpu0) * 1000))
            await pilot.wait_for_scheduled_animations()
    return out


def main() -> None:
    empty = _start(CHAOS)  # the very first start: the header cache is filled
    (minimal, minimal_idle), (chaos, chaos_idle) = cold()
    print("cold start (median of 7)      first frame   settled")
    print(f"  minimal Textual app        {minimal * 1000:8.1f} ms {minimal_idle * 1000:8.1f} ms")
    print(f"  chaosgame play, home list  {chaos * 1000:8.1f} ms {chaos_idle * 1000:8.1f} ms")
    print(
        f"  ratio                      {chaos / minimal:8.2f}x    {chaos_idle / minimal_idle:8.2f}x"
        "   (target: first frame <= 1.5x)"
    )
    print(
        f"  first start ever (no header cache): {empty[0] * 1000:.1f} ms first frame, "
        f"{empty[1] * 1000:.1f} ms settled"
    )
    switches = asyncio.run(view_switch())
    wall = [w for w, _ in switches]
    cpu = [c for _, c in switches]
    print(
        f"view switch on fleet(100): median {statistics.median(wall):.1f} ms, "
        f"max {max(wall):.1f} ms over {len(wall)} keypresses (target <= 100 ms); "
        f"processor time median {statistics.median(cpu):.1f} ms, max {max(cpu):.1f} ms"
    )


if __name__ == "__main__":
    main()
