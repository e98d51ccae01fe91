"""The score's parts on hand-checked cases."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from chaosgame.game import impact
from chaosgame.game.players import expert_actions, reference_actions
from chaosgame.game.scoring import (
    MIN_SPAN,
    Score,
    assess,
    baselines,
    brier,
    diagnosis,
    grade,
    judge,
    play,
    query_time,
)
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load("checkout-payment-step-failing")


def leaky() -> Scenario:
    """api v2 leaks memory until it is OOMKilled over and over; the fix is a rollback."""
    comps: list[dict[str, Any]] = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0, "service_time": 0.002},
        {"name": "api", "kind": "service", "replicas": 2, "capacity": 30.0, "service_time": 0.02},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 400.0, "service_time": 0.005},
    ]
    return make_scenario(
        duration=5400.0,
        time_limit=1800.0,
        components=comps,
        deploys=[{"at": 600.0, "component": "api", "version": "v2", "duration": 60.0}],
        faults=[
            {
                "kind": "memory-leak",
                "target": "api",
                "version": "v2",
                "at": 600.0,
                "mb_per_1k_requests": 40.0,
            }
        ],
        truth={
            "root_cause": {"component": "api", "kind": "memory-leak"},
            "causal_chain": [
                {"component": "api", "what": "v2 leaks memory", "at": 600.0},
                {"component": "gw", "what": "requests fail while api restarts"},
            ],
            "reference_solution": [{"action": "rollback", "target": "api"}],
        },
    )


# ------------------------------------------------------------------------- diagnosis
@pytest.mark.parametrize(
    ("component", "kind", "verdict"),
    [
        ("payments", "bad-deploy", "exact"),
        ("payments", "memory-leak", "component"),
        ("checkout", "bad-deploy", "symptom"),
        ("payments-db", "bad-deploy", "symptom"),
        ("catalog", "bad-deploy", "wrong"),
        ("web", "memory-leak", "wrong"),
        (None, "no-fault", "wrong"),
        ("fraud-api", "external-dependency", "wrong"),
    ],
)
def test_judge(storm: Scenario, component: str | None, kind: str, verdict: str) -> None:
    assert judge(storm, component, kind) == verdict


def test_judge_no_fault_and_external_dependency() -> None:
    calm = make_scenario()
    assert judge(calm, None, "no-fault") == "exact"
    assert judge(calm, "api", "bad-deploy") == "wrong"
    third_party = make_scenario(
        components=[
            {"name": "gw", "kind": "gateway"},
            {"name": "api", "kind": "service"},
            {"name": "db", "kind": "external"},
        ],
        truth={"root_cause": {"component": "db", "kind": "dependency-outage"}},
    )
    assert judge(third_party, None, "external-dependency") == "exact"
    assert judge(third_party, "db", "external-dependency") == "exact"
    assert judge(third_party, "db", "memory-leak") == "component"
    assert judge(third_party, "api", "external-dependency") == "wrong"


@pytest.mark.parametrize(
    ("conf", "exact", "expected"),
    [
        ([1.0], [True], 0.0),
        ([1.0], [False], 2.0),
        ([0.3], [False], 0.18),  # 0.3^2 + (0.7 - 1)^2
        ([0.6], [True], 0.32),  # (0.6 - 1)^2 + 0.4^2
        ([0.5, 0.4], [False, True], 0.62),  # 0.25 + 0.36 + 0.1^2
        ([1.0, 1.0], [True, False], 0.5),  # scaled to 0.5 each: 0.25 + 0.25
    ],
)
def test_brier(conf: list[float], exact: list[bool], expected: float) -> None:
    assert brier(conf, exact) == pytest.approx(expected)


def test_diagnosis_fraction_by_hand(storm: Scenario) -> None:
    def declared(*hyps: tuple[str, str, float]) -> list[dict[str, Any]]:
        return [
            {
                "time": 0.0,
                "hypotheses": [{"component": c, "kind": k, "confidence": p} for c, k, p in hyps],
            }
        ]

    sure = diagnosis(storm, declared(("payments", "bad-deploy", 1.0)))
    assert sure["fraction"] == pytest.approx(1.0)
    hedged = diagnosis(storm, declared(("payments", "bad-deploy", 0.6)))
    assert hedged["fraction"] == pytest.approx(0.8 + 0.2 * (1 - 0.32 / 2))
    second = diagnosis(
        storm, declared(("catalog", "bad-deploy", 0.5), ("payments", "bad-deploy", 0.4))
    )
    assert second["accuracy"] == pytest.approx(0.5)
    assert second["fraction"] == pytest.approx(0.8 * 0.5 + 0.2 * (1 - 0.62 / 2))
    confident_wrong = diagnosis(storm, declared(("catalog", "bad-deploy", 1.0)))
    humble_wrong = diagnosis(storm, declared(("catalog", "bad-deploy", 0.2)))
    assert confident_wrong["fraction"] == 0.0
    assert 0 < humble_wrong["fraction"] < 0.2
    assert diagnosis(storm, [])["fraction"] == 0.0
    # only the last declaration counts
    later = declared(("catalog", "bad-deploy", 1.0)) + declared(("payments", "bad-deploy", 1.0))
    assert diagnosis(storm, later)["verdicts"] == ["exact"]


@pytest.mark.parametrize(
    ("total", "letter"),
    [(100, "A"), (90, "A"), (89.9, "B"), (80, "B"), (70, "C"), (60, "D"), (59.9, "F"), (0, "F")],
)
def test_grade(total: float, letter: str) -> None:
    assert grade(total) == letter


# -------------------------------------------------------------------- impact helpers
def _pop(bad: list[float], total: float = 100.0, tenant: str | None = None) -> impact.Population:
    arr = np.array(bad, dtype=np.float64)
    return impact.Population("shop availability", tenant, 0.99, arr, np.full(arr.size, total), 10.0)


def test_recovery_needs_to_last() -> None:
    # burn rate = bad / total / 0.01: 5 bad in 100 is 5x, 0.5 bad is 0.5x
    dt = 60.0  # one tick a minute: HOLD_S is five ticks
    fixed = impact.recovery([_pop([5, 5, 5, 0.5, 0, 0, 0, 0, 0, 0])], 1, 4, 10, dt)
    assert fixed.held
    assert fixed.at_tick == 3
    relapsed = impact.recovery([_pop([5, 5, 0, 0, 0, 0, 0, 5, 0, 0])], 1, 4, 10, dt)
    assert not relapsed.held
    assert relapsed.bad_ticks_after_end == 1
    # a tenant's harm counts even when the fleet-wide SLI looks fine
    fleet, tenant = _pop([0] * 10), _pop([0, 0, 0, 0, 0, 0, 0, 0, 9, 9], tenant="b")
    assert not impact.recovery([fleet, tenant], 1, 4, 10, dt).held


def test_harm_takes_the_worst_population_and_extra_harm_the_excess() -> None:
    fleet, tenant = _pop([1, 1, 1, 1]), _pop([0, 0, 4, 4], tenant="b")
    assert impact.harm([fleet, tenant], 0, 4) == {"shop availability": pytest.approx(0.8)}
    base_fleet, base_tenant = _pop([2, 0, 1, 0]), _pop([0, 0, 4, 4], tenant="b")
    extra = impact.extra_harm([fleet, tenant], [base_fleet, base_tenant], 0, 4)
    assert extra == {"shop availability": pytest.approx(0.2)}  # ticks 1 and 3: 2 bad of 10


# -------------------------------------------------------------------- whole games
def test_slo_part_follows_the_formula(storm: Scenario) -> None:
    acts = [{"type": "wait", "seconds": 600}, *expert_actions(storm)]
    score = assess(play(storm, acts)[0]).score
    b = score.part("slo").data["burned"]
    expected = 1 - (b["player"] - b["reference"]) / max(b["nothing"] - b["reference"], MIN_SPAN)
    assert 0 < expected < 1
    # the outcome parts count fully only with the cause named: half, plus half the diagnosis
    gate = 0.5 + 0.5 * score.part("diagnosis").data["fraction"]
    assert score.part("slo").data["gate"] == pytest.approx(gate, abs=1e-6)
    assert score.part("slo").points == pytest.approx(40 * expected * gate, abs=0.01)
    assert score.part("time").points < 15  # ten minutes late is beyond the grace


def test_a_fix_that_does_not_hold_earns_no_time_credit() -> None:
    sc = leaky()
    decl = {"type": "declare", "component": "api", "kind": "memory-leak"}
    restart = assess(
        play(sc, [{"type": "mitigate", "action": "restart", "target": "api"}, decl])[0]
    ).score
    assert restart.part("time").points == 0
    assert not restart.part("time").data["held"]
    assert restart.part("slo").points < 20
    right = assess(play(sc, expert_actions(sc))[0]).score
    assert right.total >= 85


def test_hiding_the_symptoms_earns_no_time_credit() -> None:
    sc = leaky()
    acts = [
        {"type": "mitigate", "action": "scale", "target": "api", "replicas": 6},
        {"type": "declare", "component": "api", "kind": "memory-leak"},
    ]
    score = assess(play(sc, acts)[0]).score
    assert score.part("time").data["symptom_hiding"]
    assert score.part("time").points == 0


def test_collateral_damage_from_a_needless_restart(storm: Scenario) -> None:
    clean = assess(baselines(storm).reference).score
    needless = [{"type": "mitigate", "action": "restart", "target": "web"}]
    messy = assess(play(storm, needless + reference_actions(storm))[0]).score
    assert clean.part("collateral").points == 10
    data = messy.part("collateral").data
    assert data["per_slo"]["browse availability"] > 0  # browsing failed during the restart
    assert messy.part("collateral").points < 10


def test_investigation_cost_counts_query_time(storm: Scenario) -> None:
    looks = [{"type": "query", "view": "metric", "component": "payments"}] * 30
    session, _ = play(storm, looks + reference_actions(storm))
    assert query_time(session) == pytest.approx(30 * 45)
    part = assess(session).score.part("investigation")
    assert part.data["fraction"] == pytest.approx(1 - (1350 - 300) / 1500)


def test_doing_nothing_earns_nothing_for_causing_no_harm(storm: Scenario) -> None:
    score = assess(baselines(storm).nothing).score
    assert score.total == 0
    assert score.part("collateral").data["fraction"] == 1.0  # no harm done, but no gate


def test_score_is_plain_data_and_deterministic(storm: Scenario) -> None:
    acts = [{"type": "query", "view": "map"}, *reference_actions(storm)]
    one = assess(play(storm, acts)[0]).score
    two = assess(play(storm, acts)[0]).score
    assert one == two
    data = json.loads(json.dumps(one.as_dict()))
    assert Score.from_dict(data) == one
    assert sum(p["points"] for p in data["parts"]) == pytest.approx(data["total"], abs=0.1)


def test_session_finish_scores_the_game(storm: Scenario) -> None:
    session, _ = play(storm, expert_actions(storm)[:-1])
    assert not session.ended
    assessment = session.finish()
    assert session.ended
    assert assessment.score.total >= 85


def test_a_false_alarm_is_won_by_the_diagnosis() -> None:
    calm = make_scenario()  # no fault at all: the right call is "no-fault", hands off
    idle = assess(play(calm, [{"type": "end"}])[0]).score
    assert idle.total <= 20
    assert not idle.part("slo").data["harm_to_avoid"]
    look = {"type": "query", "view": "slo"}
    right = [look, {"type": "declare", "kind": "no-fault", "confidence": 0.9}, {"type": "end"}]
    assert assess(play(calm, right)[0]).score.total >= 85
    # "no fault" declared without looking at anything is a guess: it earns less
    guess = assess(play(calm, right[1:])[0]).score
    assert guess.part("diagnosis").data["informed"] is False
    assert guess.total <= assess(play(calm, right)[0]).score.total - 20
    meddling = [{"type": "mitigate", "action": "restart", "target": "api"}, *right]
    worse = assess(play(calm, meddling)[0]).score
    assert worse.total < assess(play(calm, right)[0]).score.total - 10
    wrong = [{"type": "declare", "component": "api", "kind": "bad-deploy"}, {"type": "end"}]
    assert assess(play(calm, wrong)[0]).score.total <= 20
