"""What the generator guarantees: the same code gives the same bytes, codes spread over many
distinct incidents, names never give the cause away, harder settings are harder, and every
generated incident validates and passes ``check``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from chaosgame.generate.archetypes import ARCHETYPES
from chaosgame.generate.build import GenerateError, candidates, generate, to_yaml, triple
from chaosgame.generate.codes import DIFFICULTIES, SeedCode
from chaosgame.generate.difficulty import estimate
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.naming import giveaways

SPREAD = 1000
"""Seeds generated (not played) for the spread and naming tests."""


@cache
def spread() -> list[Scenario]:
    return [
        Scenario.model_validate(generate(SeedCode(s, DIFFICULTIES[s % 4]))) for s in range(SPREAD)
    ]


def test_the_same_code_gives_the_same_bytes_in_another_process() -> None:
    code = SeedCode(31337, "hard")
    here = to_yaml(generate(code))
    assert here == to_yaml(generate(code))
    script = (
        "import sys; from chaosgame.generate.build import generate, to_yaml;"
        "from chaosgame.generate.codes import decode;"
        f"sys.stdout.write(to_yaml(generate(decode('{code.code}'))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert there == here


def test_the_file_says_which_code_makes_it_again() -> None:
    code = SeedCode(5, "easy", "deploy-strategies")
    sc = Scenario.model_validate(generate(code))
    assert sc.generator is not None
    assert sc.generator.code == code.code
    assert sc.seed == 5
    assert sc.difficulty == "easy"
    assert "deploy-strategies" in sc.topics


def test_over_a_thousand_seeds_incidents_are_distinct() -> None:
    triples = Counter(triple(sc) for sc in spread())
    assert len(triples) / SPREAD >= 0.95, triples.most_common(5)
    assert {sc.generator.archetype for sc in spread() if sc.generator} == set(ARCHETYPES)


def test_every_recipe_appears_over_a_thousand_seeds() -> None:
    ordinary, special = candidates(None)
    seen = Counter(sc.truth.root_cause.kind for sc in spread())
    missing = [r.kind for r in ordinary + special if seen[r.kind] == 0]
    assert not missing


def test_about_one_in_twelve_has_nothing_broken_or_a_third_party_at_fault() -> None:
    ordinary, special = candidates(None)
    if not special:
        pytest.skip("no special recipes")
    kinds = {r.kind for r in special}
    share = sum(sc.truth.root_cause.kind in kinds for sc in spread()) / SPREAD
    assert 0.05 <= share <= 0.16


def test_sizes_and_regions_cover_the_range() -> None:
    sizes = [len(sc.components) for sc in spread()]
    assert min(sizes) <= 12
    assert max(sizes) >= 150
    assert {len(sc.regions) for sc in spread()} >= {1, 2, 3}
    big = Scenario.model_validate(generate(SeedCode(8, "expert"), size=1000))
    assert 950 <= len(big.components) <= 1050


def test_ids_and_titles_never_name_the_cause() -> None:
    named = [
        (sc.id, sc.title, [g.text() for g in giveaways(sc)]) for sc in spread() if giveaways(sc)
    ]
    assert not named, named[:5]
    assert len({sc.id for sc in spread()}) == SPREAD


def test_harder_settings_give_higher_estimates() -> None:
    means = []
    for d in DIFFICULTIES:
        scores = [
            estimate(sc).score for i, sc in enumerate(spread()) if i % 4 == DIFFICULTIES.index(d)
        ]
        means.append(sum(scores) / len(scores))
    assert means == sorted(means), means
    assert len(set(means)) == 4, means


def test_a_topic_gives_causes_that_teach_it() -> None:
    for seed in range(12):
        sc = Scenario.model_validate(generate(SeedCode(seed, "normal", "deploy-strategies")))
        assert "deploy-strategies" in sc.topics


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(GenerateError, match="between 6 and 1000"):
        generate(SeedCode(1), size=5000)


CHECKED = 100
"""Seeds checked in the suite, over every difficulty (1,000 in benchmarks/bench_generate.py)."""


@pytest.mark.parametrize("chunk", range(10))
def test_generated_incidents_validate_and_pass_check(chunk: int) -> None:
    failures = []
    for seed in range(chunk, CHECKED, 10):
        code = SeedCode(1000 + seed, DIFFICULTIES[seed % 4])
        sc = Scenario.model_validate(generate(code))
        bad = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
        if bad:
            failures.append((code.code, code.difficulty, sc.truth.root_cause.kind, bad))
    assert not failures


def test_the_briefing_shows_the_estimate_without_what_it_measured_on_the_truth() -> None:
    from chaosgame.generate.menu import about

    for seed in range(8):
        sc = Scenario.model_validate(generate(SeedCode(seed, DIFFICULTIES[seed % 4])))
        shown = " ".join(about(sc).lines())
        assert f"{estimate(sc).score:.1f}/10" in shown
        for hidden in ("evidence path", "gaps", "onset", sc.truth.root_cause.kind):
            assert hidden not in shown
