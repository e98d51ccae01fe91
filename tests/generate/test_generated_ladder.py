"""The strategy ladder holds on generated incidents: over 40 seeds of every difficulty each
cheap strategy's mean score is at most 35 and the reference's at least 85 (200 seeds in
``benchmarks/bench_generate.py --ladder 200``)."""

from __future__ import annotations

import statistics

from chaosgame.game.strategies import ladder
from chaosgame.generate.build import generate
from chaosgame.generate.codes import DIFFICULTIES, SeedCode
from chaosgame.scenario.model import Scenario

SEEDS = 40
CHEAP = ("nothing", "random", "undo-latest", "loudest-alert", "plausible-shotgun", "read-the-id")


def test_cheap_strategies_lose_on_generated_incidents() -> None:
    scores: dict[str, list[float]] = {}
    for seed in range(SEEDS):
        sc = Scenario.model_validate(generate(SeedCode(5000 + seed, DIFFICULTIES[seed % 4])))
        for name, score in ladder(sc, [*CHEAP, "reference"]).items():
            scores.setdefault(name, []).append(score.total)
    means = {k: statistics.mean(v) for k, v in scores.items()}
    assert means["reference"] >= 85, means
    for name in CHEAP:
        assert means[name] <= 35, (name, means)
    assert means["nothing"] <= min(means[n] for n in CHEAP if n != "nothing") + 1e-9 or (
        means["nothing"] <= 5
    ), means
