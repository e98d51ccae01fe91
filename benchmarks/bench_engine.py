"""Engine speed: print the figures the engine issue sets as targets.

Run with ``make bench`` (or ``python benchmarks/bench_engine.py``). Targets, on one core of
the 2-core reference machine:

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


def best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


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
    sc = load_scenario(find("payments-retry-storm"))
    sim = Simulator(sc)
    sim.run_until(3600.0)


def main() -> None:
    sc = fleet(1000, seed=3)
    print(f"generated fleet: {len(sc.components)} components, {len(sc.dependencies)} edges")
    best, median = best_of(3, big)
    print(
        f"1,000 components x 2 h (720 ticks): best {best:.2f} s, median {median:.2f} s (target <= 2 s)"
    )
    best, median = best_of(5, thirty)
    print(
        f"30 components (3 tiers), 60 min headless session: best {best:.3f} s, median {median:.3f} s (target <= 0.3 s)"
    )
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
