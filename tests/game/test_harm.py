"""Harm beyond availability: each measure computed by hand, rejected requests that are not
wrong answers, a legitimate takedown, and ``check`` counting the score's populations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine import grading
from chaosgame.engine import slo as slo_mod
from chaosgame.game import harm, impact, players, scoring
from chaosgame.game.debrief import build_debrief
from chaosgame.game.debrief_text import render_debrief
from chaosgame.proof import checker
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from tests.engine.fleet import fleet

LEAK: dict[str, Any] = {
    "faults": [
        {
            "kind": "bad-deploy",
            "target": "api",
            "at": 60.0,
            "version": "v2",
            "journeys": ["shop"],
            "effects": [{"mechanism": "wrong", "amount": 0.2, "journeys": ["shop"]}],
        }
    ],
    "deploys": [
        {"at": -86400.0, "component": "api", "version": "v1"},
        {"at": 60.0, "component": "api", "version": "v2", "duration": 60.0},
    ],
    "page_at": 300.0,
    "time_limit": 1200.0,
    "truth": {
        "root_cause": {"component": "api", "kind": "bad-deploy"},
        "reference_solution": [{"action": "rollback", "target": "api"}],
    },
}


def leak(**harm_fields: Any) -> Scenario:
    return fleet(**LEAK, harm=harm_fields) if harm_fields else fleet(**LEAK)


# ------------------------------------------------------------- the measures, by hand
def test_every_measure_computed_by_hand_from_a_two_journey_run() -> None:
    """Reference: hand arithmetic on five 10-second ticks. The exposure acts on ticks 1-3
    and the journey is up on all but tick 3: two exposed ticks (20 s), and the answered
    requests on them (100 - 10 + 100 - 0) leak. Money: 0.5 per failed or wrong request and
    60 per minute of full failure, over the failed share of each tick. Cost: 2 extra replicas
    for three ticks (60 replica-seconds) at 36 per replica-hour is 0.6."""
    sc = leak(
        exposures=[{"fault": "bad-deploy", "target": "api", "journey": "shop"}],
        money=[{"journey": "shop", "per_request": 0.5, "per_minute": 60.0}],
        cost={"per_replica_hour": 36.0, "allowance": 10.0},
    )
    s: harm.Series = {
        "total:shop": np.array([100.0, 100.0, 100.0, 100.0, 100.0]),
        "failed:shop": np.array([0.0, 10.0, 0.0, 100.0, 0.0]),
        "wrong:shop": np.array([0.0, 20.0, 20.0, 0.0, 0.0]),
        "total:login": np.full(5, 10.0),
        "failed:login": np.zeros(5),
        "wrong:login": np.zeros(5),
        "exposed:0": np.array([0.0, 1.0, 1.0, 0.0, 0.0]),
        "leaked:0": np.array([0.0, 90.0, 100.0, 0.0, 0.0]),
        "extra_replicas": np.array([0.0, 2.0, 2.0, 2.0, 0.0]),
    }
    m = harm.measures(sc, s, 0, 5, 10.0)
    assert m["exposure_min"] == pytest.approx(20.0 / 60.0)
    assert m["exposures"][0]["requests"] == pytest.approx(190.0)
    bad = 10 + 20 + 20 + 100  # failed or wrong requests
    shares = 0.3 + 0.2 + 1.0  # the failed-or-wrong share of each tick
    assert m["money"] == pytest.approx(0.5 * bad + 60.0 * shares * 10.0 / 60.0)
    assert m["cost"] == pytest.approx(60.0 / 3600.0 * 36.0)
    assert m["failed"] == {"shop": 110.0, "login": 0.0}
    assert m["wrong"] == {"shop": 40.0, "login": 0.0}


def test_fractions_and_weights_by_hand() -> None:
    # money: the reference lost 100, doing nothing 500: the player's 200 is 3/4 of the way
    assert harm.fraction(200.0, 100.0, 500.0) == pytest.approx(0.75)
    # a takedown that costs the reference more than doing nothing: the span is 10 % of it
    assert harm.fraction(100.0, 500.0, 50.0) == 1.0
    assert harm.fraction(525.0, 500.0, 50.0) == pytest.approx(0.5)
    # confidentiality: 2.5 minutes longer than the reference, 10 minutes cost it all
    assert harm.exposure_fraction(150.0, 600.0) == pytest.approx(0.75)
    assert harm.exposure_fraction(-60.0, 600.0) == 1.0
    sc = leak(money=[{"journey": "shop", "per_request": 1.0}])
    w = harm.weights(sc, scoring.WEIGHTS)
    assert sum(w.values()) + harm.WEIGHT == pytest.approx(100.0)
    assert w["slo"] == pytest.approx(36.0)
    # with communication's room already made (90 left), the others share 80
    assert sum(harm.weights(sc, {k: v * 0.9 for k, v in scoring.WEIGHTS.items()}).values()) == (
        pytest.approx(80.0)
    )
    # cost comes out of collateral: 3 over the reference's spend of an allowance of 10
    sc = leak(cost={"per_replica_hour": 1.0, "allowance": 10.0})
    assert harm.collateral_fraction(sc, 0.9, 5.0, 2.0) == pytest.approx(0.6)
    # without prices of its own a scenario pays the defaults: 3 over an allowance of 100
    assert harm.collateral_fraction(leak(), 0.9, 5.0, 2.0) == pytest.approx(0.87)


def test_a_run_measures_exposure_until_the_fix_and_the_score_shows_it_apart() -> None:
    sc = leak(
        exposures=[{"fault": "bad-deploy", "journey": "shop", "what": "other users' carts"}],
        money=[{"journey": "shop", "per_request": 0.1}],
        cost={"per_replica_hour": 2.0, "allowance": 5.0},
    )
    scale = {"type": "mitigate", "action": "scale", "target": "api", "replicas": 9}
    session, refused = players.play(sc, [scale, *players.reference_actions(sc)], sc.seed)
    assert not refused
    a = scoring.assess(session)
    part = a.score.part("harm")
    data = part.data
    # the reference rolls back at the page (300 s): exposed while v2 serves, from its first pod
    # (60 s) until the rollback acts 2 minutes after the page and has replaced the last v2
    # pod over the deploy's 60 s
    ref = data["reference"]["exposure_min"] * 60.0
    assert ref == pytest.approx(240.0 + 120.0 + 60.0, abs=20.0)
    assert data["nothing"]["exposure_min"] * 60.0 > 1000.0
    assert data["player"]["wrong"]["shop"] > 0.0
    # the extra replicas cost money, taken from collateral
    collateral = a.score.part("collateral")
    assert collateral.data["cost"]["player"] > collateral.data["cost"]["reference"] == 0.0
    assert "extra capacity cost" in collateral.detail
    text = render_debrief(build_debrief(a))
    assert "Harm beyond the SLOs" in text
    assert "other users' carts" in text
    assert "Harm beyond SLOs" in text  # the part's line in the score


def test_without_harm_settings_the_score_has_the_same_parts_and_weights() -> None:
    session, _ = players.play(leak(), players.reference_actions(leak()), 1)
    score = scoring.assess(session).score
    assert [p.key for p in score.parts] == [
        "slo",
        "diagnosis",
        "time",
        "collateral",
        "investigation",
    ]
    assert sum(p.max_points for p in score.parts) == pytest.approx(100.0)
    assert "cost" not in score.part("collateral").data


# ------------------------------------------------------------ rejected is not wrong
def test_shed_requests_are_unavailable_not_wrong() -> None:
    """Documented behaviour: a request refused at the door got no answer, so it cannot be a
    wrong one (an SLI counts it as unavailability). Shedding every request of a release that
    answers wrongly must stop the correctness SLO burning."""
    sc = load("invoices-add-up-wrong")
    shed = {"type": "mitigate", "action": "shed-load", "target": "edge", "fraction": 1.0}
    session, refused = players.play(sc, [shed], sc.seed)
    assert not refused
    sim = session.sim
    assert sim is not None
    sim.run_until(session.deadline)
    after = int(session.start_time // sim.dt) + 12  # the shed acted (30 s) and settled
    series = {(s.slo.journey, s.slo.sli): s for s in slo_mod.all_series(sim)}
    hi = sim.history.ticks
    assert series["create-invoice", "availability"].consumed(after, hi) > 0.5
    assert series["create-invoice", "correctness"].consumed(after, hi) == 0.0


# --------------------------------------------------------------- taking a service down
def test_a_takedown_the_scenario_allows_is_not_symptom_hiding() -> None:
    sc = load("account-pages-show-other-customers")
    down = {"type": "mitigate", "action": "scale", "target": "account", "replicas": 0}
    allowed = harm.hiding(sc)
    spec = sc.truth.mitigations[0]  # shed-load account fraction 1.0
    assert grading.is_symptom_hiding(spec)
    assert not allowed(spec)
    assert sc.harm is not None
    plain = sc.model_copy(update={"harm": sc.harm.model_copy(update={"takedown": []})})
    assert harm.hiding(plain)(spec)
    session, _ = players.play(sc, [down], sc.seed)
    verdict = scoring.assess(session).grading
    assert verdict is not None
    assert verdict.symptom_hiding == ()
    session, _ = players.play(plain, [down], sc.seed)
    verdict = scoring.assess(session).grading
    assert verdict is not None
    assert verdict.symptom_hiding == ("scale account",)


# ------------------------------------------------- check and the score: one population
def one_small_tenant() -> Scenario:
    """A fault on a 5 % tenant: 10 % of its shop requests fail, 0.5 % of the fleet's."""
    return fleet(
        tenants=[{"name": "small", "share": 0.05}, {"name": "rest", "share": 0.95}],
        faults=[
            {
                "kind": "bad-config",
                "target": "api",
                "at": 60.0,
                "key": "feature.mode",
                "value": "on",
                "error_rate": 0.1,
                "journeys": ["shop"],
                "tenants": ["small"],
            }
        ],
        page_at=300.0,
        truth={
            "root_cause": {"component": "api", "kind": "bad-config"},
            "reference_solution": [{"action": "revert-config", "target": "api"}],
        },
    )


def test_check_and_the_score_count_the_same_tenant_populations() -> None:
    sc = one_small_tenant()
    session, _ = players.play(sc, [], sc.seed)
    sim = session.sim
    assert sim is not None
    sim.run_until(session.deadline)
    lo, hi = 60.0, session.deadline
    a, b = int(lo / sim.dt), int(hi / sim.dt)
    pops = impact.populations(sim)
    score_harm = sum(impact.harm(pops, a, b).values())
    share, _bad, burn = checker._damage(sim, lo, hi)
    assert share == pytest.approx(score_harm, rel=1e-12)
    small = next(p for p in pops if p.tenant == "small" and p.slo == "shop availability")
    fleetwide = next(p for p in pops if p.tenant is None and p.slo == "shop availability")
    assert small.burned(a, b) > 5 * fleetwide.burned(a, b)
    assert burn >= 9.0  # the small tenant's 10 % against a 1 % objective
    # the recovery judges see the tenant too: unhealthy while its requests fail, although the
    # fleet-wide SLI (0.5 % bad) is within the 1 % objective
    t = int(900 / sim.dt)
    assert not grading.healthy(sim)[t]
    assert fleetwide.burn_rate()[t] < 1.0 < small.burn_rate()[t]
    ok, names = checker.Judge(checker._baseline(sc, sc.seed, session.deadline)).healthy(sim)
    assert not ok[t]
    assert "shop availability (tenant small)" in names
