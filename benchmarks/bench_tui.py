"""TUI speed: cold start to the first drawn screen, and a view switch on a 100-component fleet.

Prints the figures (run with ``python benchmarks/bench_tui.py``):

- cold start of ``chaosgame``'s app to its first drawn screen, in a fresh interpreter, against
  a minimal Textual app started the same way in the same run (target: at most 1.5x);
- a keypress that changes the console's tab on ``fleet(100)``, until the screen is redrawn
  (target: within 100 ms).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MINIMAL = """
import time, sys
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import Footer, Static
class Minimal(App):
    def compose(self):
        yield Static("hello")
        yield Footer()
async def main():
    app = Minimal()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - t0)
import asyncio; asyncio.run(main())
"""

CHAOS = """
import time, sys
t0 = time.perf_counter()
from chaosgame.tui.app import make_app
async def main():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - t0)
import asyncio; asyncio.run(main())
"""


def cold(code: str, runs: int = 5) -> float:
    """Median seconds from interpreter start of the code to its first drawn screen."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


async def view_switch(runs: int = 20) -> list[float]:
    """Milliseconds from a tab key to the redrawn screen on a 100-component fleet."""
    sys.path.insert(0, str(ROOT))
    from chaosgame.generate.topology import fleet
    from chaosgame.tui.app import make_app

    app = make_app(fleet(100), start="console")
    out = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("r")  # read the 100-row map first
        await app.workers.wait_for_complete()
        await pilot.pause()
        keys = ["5", "1", "2", "1"]
        for n in range(runs):
            t0 = time.perf_counter()
            await pilot.press(keys[n % len(keys)])
            await pilot.pause()  # the refresh is processed: the screen is redrawn
            out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    minimal = cold(MINIMAL)
    chaos = cold(CHAOS)
    print(f"cold start, minimal Textual app: {minimal * 1000:7.1f} ms (median of 5)")
    print(f"cold start, chaosgame home:      {chaos * 1000:7.1f} ms (median of 5)")
    print(f"ratio: {chaos / minimal:.2f}x (target <= 1.5x)")
    switches = asyncio.run(view_switch())
    print(
        f"view switch on fleet(100): median {statistics.median(switches):.1f} ms, "
        f"max {max(switches):.1f} ms over {len(switches)} keypresses (target <= 100 ms)"
    )


if __name__ == "__main__":
    main()
