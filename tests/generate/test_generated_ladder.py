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
    by_setting: dict[str, list[float]] = {}
    for seed in range(SEEDS):
        setting = DIFFICULTIES[seed % 4]
        sc = Scenario.model_validate(generate(SeedCode(5000 + seed, setting)))
        for name, score in ladder(sc, [*CHEAP, "reference"]).items():
            scores.setdefault(name, []).append(score.total)
            if name == "reference":
                by_setting.setdefault(setting, []).append(score.total)
    # harder settings are harder to read, never unfair: the reference still scores well
    for setting, refs in by_setting.items():
        assert statistics.mean(refs) >= 85, (setting, refs)
    means = {k: statistics.mean(v) for k, v in scores.items()}
    assert means["reference"] >= 85, means
    for name in CHEAP:
        assert means[name] <= 35, (name, means)
    assert means["nothing"] <= 5, means
