"""Fuzzing: thousands of mutated scenario files through ``validate``, and a sample of the valid
ones through a short headless game and its debrief. Anything but a clean validation error, or a
game that runs away, fails the test with the mutants that did it.

The mutants are seeded and fixed (the same ones on every run); ``benchmarks/bench_scenarios.py
--fuzz`` runs a larger sweep of the same kind.
"""

from __future__ import annotations

import collections
import random

from tests.scenario.mutants import dump, mutate, seeds, verdict

SEED = 2026
MUTANTS = 2500
PLAY_EVERY = 40
"""Every 40th valid mutant is played (about a dozen games)."""


def test_mutated_scenarios_are_refused_cleanly_or_play_to_a_debrief() -> None:
    rng = random.Random(SEED)
    pool = seeds()
    tally: collections.Counter[str] = collections.Counter()
    failures = []
    valid = 0
    for i in range(MUTANTS):
        name, data = rng.choice(pool)
        mutant, what = mutate(data, rng, rng.choice((1, 1, 1, 2, 3)))
        text = dump(mutant)
        result = verdict(text, play=False)
        if result.outcome == "valid":
            if valid % PLAY_EVERY == 0:
                result = verdict(text, play=True)
            valid += 1
        tally[result.outcome] += 1
        if result.failed:
            failures.append(f"mutant {i} of {name} ({what}):\n{result.detail}")
    assert not failures, f"{len(failures)} of {MUTANTS} mutants failed:\n" + "\n".join(failures[:5])
    # the sweep reaches both sides: most mutants are refused, many are valid, some are played
    assert tally["rejected"] > MUTANTS // 2
    assert tally["valid"] + tally["played"] > MUTANTS // 10
    assert tally["played"] >= 8


def test_the_mutator_reaches_every_seed_and_changes_the_file() -> None:
    rng = random.Random(SEED)
    pool = seeds()
    names = {name for name, _ in pool}
    assert {"new", "new+"} <= names
    assert len(names) > 20
    name, data = pool[1]
    mutant, what = mutate(data, rng, 1)
    assert mutant != data
    assert what
    assert dump(data) != dump(mutant)
