"""The ``heuristic`` player: honest, deterministic, and it reasons from the evidence.

It follows the failing calls to the suspect, takes back the change that came just before the
trouble there (never the innocent latest one), answers a provider's failure with a fallback,
a slow database with a killed query, a quiet page by keeping its hands off; over a small
sample of curated and generated incidents it scores well above every cheap strategy and
below the answer key (the full ladders are ``benchmarks/bench_ladder.py`` and
``benchmarks/bench_generate.py --ladder``).
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from chaosgame.game import heuristic
from chaosgame.game.strategies import STRATEGIES, Run, ladder, run_strategy
from chaosgame.generate.build import generate
from chaosgame.generate.codes import DIFFICULTIES, SeedCode
from chaosgame.scenario import library
from chaosgame.scenario.model import RootCause, Scenario, Truth
from tests.game.test_strategies import ALLOWED_IMPORTS, FORBIDDEN, STDLIB, _reached

CHEAP = [n for n in STRATEGIES if n not in ("heuristic", "reference")]


def _acts(run: Run, kind: str | None = None) -> list[dict[str, Any]]:
    acts = [a["action"] for a in run.view.actions]
    return [a for a in acts if kind is None or a["type"] == kind]


def _mitigations(run: Run) -> list[tuple[str, str]]:
    return [(a["action"], a["target"]) for a in _acts(run, "mitigate")]


def _declared(run: Run) -> dict[str, Any]:
    *_, last = _acts(run, "declare")
    return dict(last)


@pytest.fixture(scope="module")
def storm() -> Scenario:
    """A bad payments deploy at 30m, then an innocent flag change at 33m (the latest)."""
    return library.load("checkout-payment-step-failing")


# ------------------------------------------------------------------------- honesty
def test_it_is_registered_as_an_honest_player() -> None:
    assert STRATEGIES["heuristic"].honest
    assert list(STRATEGIES)[-2:] == ["heuristic", "reference"]


def test_it_reads_only_the_player_view() -> None:
    touched, modules = _reached("heuristic", heuristic)
    assert touched & FORBIDDEN == set()
    assert modules <= ALLOWED_IMPORTS | STDLIB
    assert "chaosgame.game.strategy_view" in modules


def test_it_plays_the_same_whatever_the_truth(storm: Scenario) -> None:
    decoy = storm.model_copy(
        update={"truth": Truth(root_cause=RootCause(component="dns", kind="stale-dns"))}
    )
    real, fake = run_strategy("heuristic", storm), run_strategy("heuristic", decoy)
    assert real.actions == fake.actions
    assert real.skipped == fake.skipped


def test_same_scenario_and_seed_same_actions_and_score(storm: Scenario) -> None:
    first, again = (run_strategy("heuristic", storm, 5) for _ in range(2))
    assert first.actions == again.actions
    assert first.score() == again.score()


# ---------------------------------------------------------------------- behaviours
def test_it_rolls_back_the_bad_deploy_not_the_innocent_latest_change(storm: Scenario) -> None:
    run = run_strategy("heuristic", storm)
    mitigations = _mitigations(run)
    assert mitigations[0] == ("rollback", "payments")
    assert all(action != "toggle-flag" for action, _ in mitigations)  # the latest change
    declared = _declared(run)
    assert (declared["component"], declared["kind"]) == ("payments", "bad-deploy")
    assert 0.5 <= declared["confidence"] <= 0.9
    # it looked at payments before declaring: an informed diagnosis
    queried = [a for a in _acts(run, "query") if a.get("component") == "payments"]
    assert queried
    assert run.score().part("diagnosis").data["informed"] is True


def test_a_quiet_page_is_no_fault_and_hands_off() -> None:
    run = run_strategy("heuristic", library.load("search-cpu-high-at-night"))
    assert _mitigations(run) == []
    assert _declared(run)["kind"] == "no-fault"


def test_a_failing_provider_gets_a_fallback_and_is_named() -> None:
    run = run_strategy("heuristic", library.load("checkout-hangs-at-delivery-options"))
    fallback = [a for a in _acts(run, "mitigate") if a["action"] == "switch-fallback"]
    assert [(a["target"], a["to"]) for a in fallback] == [("checkout", "shipping-rates")]
    declared = _declared(run)
    assert (declared["component"], declared["kind"]) == ("shipping-rates", "external-dependency")


def test_a_slowdown_with_no_errors_is_followed_down_to_the_database() -> None:
    run = run_strategy("heuristic", library.load("order-history-slow"))
    assert _mitigations(run)[0] == ("kill-query", "orders-db")
    assert _declared(run)["component"] == "orders-db"


def test_a_config_change_on_the_suspect_is_reverted() -> None:
    run = run_strategy("heuristic", library.load("feed-slow-with-cpu-to-spare"))
    (revert,) = _acts(run, "mitigate")
    assert (revert["action"], revert["target"], revert["key"]) == (
        "revert-config",
        "feed",
        "cpu_limit",
    )
    declared = _declared(run)
    assert (declared["component"], declared["kind"]) == ("feed", "cpu-throttling")


# -------------------------------------------------------------------- small ladders
CURATED = [
    "checkout-payment-step-failing",
    "feed-slow-with-cpu-to-spare",
    "login-fix-does-not-hold",
    "edge-regions-keep-crashing",
    "carts-empty-themselves",
]
"""A few curated incidents, some the heuristic solves and some it does not."""
SEEDS = range(5)
"""The first generated seeds (not chosen)."""


def _means(scenarios: list[Scenario]) -> dict[str, float]:
    rows = [ladder(sc, [*CHEAP, "heuristic", "reference"]) for sc in scenarios]
    return {n: statistics.mean(r[n].total for r in rows) for n in rows[0]}


def _check(means: dict[str, float]) -> None:
    best_cheap = max(means[n] for n in CHEAP)
    assert means["heuristic"] >= best_cheap + 15, means
    assert means["heuristic"] < means["reference"], means


def test_over_a_few_curated_incidents_it_beats_every_cheap_strategy() -> None:
    _check(_means([library.load(name) for name in CURATED]))


def test_over_a_few_generated_incidents_it_beats_every_cheap_strategy() -> None:
    scenarios = [Scenario.model_validate(generate(SeedCode(s, DIFFICULTIES[s % 4]))) for s in SEEDS]
    _check(_means(scenarios))
