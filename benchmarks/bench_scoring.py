"""The skill ladder of every curated scenario, and how long scoring takes.

    python benchmarks/bench_scoring.py [SCENARIO ...]

Prints, per scenario, the scores of the reference player, the idle player, the shotgun player
and a player who fixes the incident but names the wrong cause, and the CPU seconds a full
play-and-score takes (the comparison runs are kept after the first game of a scenario).

Then the time ``Session.finish()`` takes (settling the game, the comparison runs, the score)
with a cold cache (the comparison runs simulated), a warm one in memory (a second game in the
same process), and a warm one in the run records (a new process whose records keep them).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from chaosgame.game import baselines
from chaosgame.game.players import idle_actions, reference_actions, shotgun_actions
from chaosgame.game.records import RunStore
from chaosgame.game.scoring import assess, play
from chaosgame.game.session import Session
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.library import find, scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario


def ladder(paths: list[Path]) -> None:
    print(
        f"{'scenario':<34}{'ref':>6}{'idle':>6}{'shot':>6}{'wrong':>6}{'first s':>9}{'next s':>8}"
    )
    for path in paths:
        sc = load_scenario(path)
        baselines.clear_memory()
        rc = sc.truth.root_cause
        chain = {s.component for s in sc.truth.causal_chain} | {rc.component}
        other = next(c.name for c in sc.components if c.name not in chain)
        kind = next(k for k in FAULT_KINDS if k != rc.kind)
        fix = [a for a in reference_actions(sc) if a["type"] == "mitigate"]
        wrong = [*fix, {"type": "declare", "component": other, "kind": kind}, {"type": "end"}]
        scores = []
        timings = []
        for actions in (reference_actions(sc), idle_actions(sc), shotgun_actions(sc), wrong):
            t0 = time.process_time()
            scores.append(assess(play(sc, actions)[0]).score.total)
            timings.append(time.process_time() - t0)
        later = sum(timings[1:]) / len(timings[1:])
        row = "".join(f"{s:>6.1f}" for s in scores)
        print(f"{sc.id:<34}{row}{timings[0]:>9.2f}{later:>8.2f}")


def _finish(sc: Scenario, actions: list[dict[str, Any]], store: RunStore | None) -> float:
    """CPU seconds ``Session.finish()`` takes for a game played with ``actions``."""
    session = Session(sc)
    session.reset()
    if store is not None:
        store.attach(session)
    for act in actions:
        session.step(act)
    t0 = time.process_time()
    session.finish()
    return time.process_time() - t0


def finish_times(paths: list[Path]) -> None:
    print()
    print("Session.finish() in CPU seconds: cold cache, warm in memory, warm in the run records")
    print(f"{'scenario':<34}{'cold':>8}{'memory':>8}{'records':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs.sqlite3")
        cold_all = warm_all = kept_all = 0.0
        for path in paths:
            sc = load_scenario(path)
            actions = [a for a in reference_actions(sc) if a["type"] != "end"]
            baselines.clear_memory()
            cold = _finish(sc, actions, store)
            warm = _finish(sc, actions, None)
            baselines.clear_memory()
            kept = _finish(sc, actions, store)
            cold_all, warm_all, kept_all = cold_all + cold, warm_all + warm, kept_all + kept
            print(f"{sc.id:<34}{cold:>8.2f}{warm:>8.2f}{kept:>8.2f}")
        n = max(len(paths), 1)
        print(f"{'mean':<34}{cold_all / n:>8.2f}{warm_all / n:>8.2f}{kept_all / n:>8.2f}")


def main(argv: list[str]) -> None:
    paths = [find(name) for name in argv] if argv else scenario_paths()
    ladder(paths)
    finish_times(paths)


if __name__ == "__main__":
    main(sys.argv[1:])
