"""The skill ladder of every curated scenario, and how long scoring takes.

    python benchmarks/bench_scoring.py

Prints, per scenario, the scores of the reference player, the idle player, the shotgun player
and a player who fixes the incident but names the wrong cause, and the CPU seconds a full
play-and-score takes (the comparison runs are cached after the first game of a scenario).
"""

from __future__ import annotations

import time

from chaosgame.game.players import _CACHE, idle_actions, reference_actions, shotgun_actions
from chaosgame.game.scoring import assess, play
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario


def main() -> None:
    print(
        f"{'scenario':<34}{'ref':>6}{'idle':>6}{'shot':>6}{'wrong':>6}{'first s':>9}{'next s':>8}"
    )
    for path in scenario_paths():
        sc = load_scenario(path)
        _CACHE.clear()
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


if __name__ == "__main__":
    main()
