"""Engine speed: print each figure, its target and how the two compare.

Run with ``make bench`` (or ``python benchmarks/bench_engine.py``). Targets, on one core of
the idle 2-core reference machine (on a busy machine, read the CPU time printed beside the
first figure):

* 2 hours at 10-second ticks of a generated 1,000-component graph: at most 2 s;
* a 30-component scenario loaded, simulated for 60 minutes and ended headless: at most 0.3 s.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

from chaosgame.engine.sim import Simulator
from chaosgame.game.session import Session
from chaosgame.generate.topology import fleet
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario

BIG_TARGET = 2.0
"""Seconds the 1,000-component, 2-hour run may take."""
THIRTY_TARGET = 0.3
"""Seconds the 30-component, 60-minute headless session may take."""


def best_of(runs: int, fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best and median wall-clock seconds of ``runs`` calls."""
    return timed(runs, fn)[:2]


def timed(runs: int, fn) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Best and median wall-clock seconds of ``runs`` calls, and the best CPU seconds (which
    other work on a shared machine disturbs far less)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), statistics.median(times), min(cpu)


def against(best: float, target: float) -> str:
    """The best time as a share of its target, and whether it meets it."""
    verdict = "meets" if best <= target else "MISSES"
    return f"target <= {target:g} s, best is {best / target:.0%} of it: {verdict} it"


def big() -> None:
    sc = fleet(1000, seed=3)
    sim = Simulator(sc)
    sim.run_until(7200.0)


def thirty(tiers: int | None = None) -> None:
    sc = fleet(30, seed=5, tiers=tiers)
    session = Session(sc)
    session.reset()
    while not session.ended and session.now < 3600:
        session.step({"type": "wait", "seconds": 600})
    session.step({"type": "end"})


def builtin() -> None:
    sc = load_scenario(find("checkout-payment-step-failing"))
    sim = Simulator(sc)
    sim.run_until(3600.0)


def main() -> None:
    sc = fleet(1000, seed=3)
    print(f"generated fleet: {len(sc.components)} components, {len(sc.dependencies)} edges")
    best, median, cpu = timed(3, big)
    print(
        f"1,000 components x 2 h (720 ticks): best {best:.2f} s, median {median:.2f} s "
        f"(best CPU time {cpu:.2f} s)"
    )
    print(f"    {against(best, BIG_TARGET)}")
    best, median = best_of(5, thirty)
    print(
        f"30 components (3 tiers), 60 min headless session: best {best:.3f} s, median {median:.3f} s"
    )
    print(f"    {against(best, THIRTY_TARGET)}")
    best, median = best_of(5, lambda: thirty(tiers=6))
    print(
        f"30 components (6 tiers, unusually deep), same: best {best:.3f} s, median {median:.3f} s"
    )
    best, median = best_of(5, builtin)
    print(f"built-in scenario (16 components) x 60 min: best {best:.3f} s, median {median:.3f} s")
    tracemalloc.start()
    sim = Simulator(sc)
    sim.run_until(7200.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"history of 1,000 components x 2 h: {sim.history.nbytes() / 1e6:.1f} MB; peak traced {peak / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
