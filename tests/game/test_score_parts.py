"""The score pinned by hand: its weights, each part on hand-built numbers, and the page.

Every expected number below is derived in the comments from the rules in docs/scoring.md;
none is copied from a run. Inputs are chosen as binary fractions (0.125, 0.75, ...) so that
the arithmetic is exact and the points, rounded to 0.01, can be compared with ``==``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from chaosgame.engine import slo as slo_mod
from chaosgame.game import diagnosis as diagnosis_mod
from chaosgame.game import impact, scoring
from chaosgame.game.session import PAGE_GRACE, Session
from chaosgame.scenario.library import load
from chaosgame.scenario.model import SLO, Scenario
from tests.conftest import make_scenario


@pytest.fixture(scope="module")
def storm() -> Scenario:
    # root cause: payments / bad-deploy; checkout and payments-db are on the causal chain
    return load("checkout-payment-step-failing")


# ------------------------------------------------------------------------ the weights
def test_the_weights_and_constants() -> None:
    assert scoring.WEIGHTS == {
        "slo": 40.0,
        "diagnosis": 25.0,
        "time": 15.0,
        "collateral": 10.0,
        "investigation": 10.0,
    }
    assert sum(scoring.WEIGHTS.values()) == 100.0
    assert scoring.MIN_SPAN == 0.005
    assert scoring.OUTCOME_FLOOR == 0.5
    assert scoring.RISK_SHARE == 0.2
    assert diagnosis_mod.GUESS_SHARE == 0.5
    assert scoring.TIME_GRACE_S == 300.0
    assert (scoring.INVESTIGATION_FREE_S, scoring.INVESTIGATION_ZERO_S) == (300.0, 1500.0)
    assert scoring.COLLATERAL_SHARE == 0.5
    assert diagnosis_mod.CREDIT == {
        "exact": 1.0,
        "component": 0.5,
        "symptom": 0.35,
        "wrong": 0.0,
        "none": 0.0,
    }
    assert diagnosis_mod.RANK_WEIGHT == (1.0, 0.5, 0.25)
    assert diagnosis_mod.ACCURACY_SHARE == 0.8


# ------------------------------------------------------------------------- SLO impact
@pytest.mark.parametrize(
    ("player", "fraction", "points"),
    [
        # reference 0.125, nothing 0.625: span 0.5; the player burned 0.25, i.e. 0.125 more
        # than the reference: 1 - 0.125 / 0.5 = 0.75 -> 40 x 0.75 = 30
        (0.25, 0.75, 30.0),
        (0.125, 1.0, 40.0),  # as good as the reference
        (0.0625, 1.0, 40.0),  # better than the reference: 1 + 0.0625/0.5, clamped to 1
        (0.5, 0.25, 10.0),  # 1 - 0.375 / 0.5
        (0.625, 0.0, 0.0),  # as bad as doing nothing
        (1.0, 0.0, 0.0),  # worse than doing nothing: 1 - 0.875 / 0.5 < 0, clamped
    ],
)
def test_slo_impact_is_the_share_of_the_avoidable_harm_avoided(
    player: float, fraction: float, points: float
) -> None:
    got, span, real = scoring.slo_fraction(player, 0.125, 0.625)
    assert (got, span, real) == (fraction, 0.5, True)
    gate, outcome = scoring.gates(got, 1.0, real)
    assert outcome == 1.0  # with harm to avoid and the cause named, the SLO part is whole
    assert scoring.points(_fractions(slo=got), gate, outcome)["slo"] == points


def test_slo_impact_with_almost_no_harm_to_avoid() -> None:
    # the reference avoids 0.00390625 (< MIN_SPAN = 0.005): the span is 0.005 and there is
    # no "real" harm; a player who burned 0.00375 more: 1 - 0.00375 / 0.005 = 0.25
    fraction, span, real = scoring.slo_fraction(0.00375, 0.0, 0.00390625)
    assert span == 0.005
    assert not real
    assert fraction == pytest.approx(0.25, abs=1e-12)


def test_slo_impact_of_a_small_real_incident() -> None:
    # the reference avoids 0.0078125 (>= MIN_SPAN): harm to avoid, divided by itself; a
    # player who burned 0.00390625 more than the reference avoided half of it
    fraction, span, real = scoring.slo_fraction(0.00390625, 0.0, 0.0078125)
    assert (fraction, span, real) == (0.5, 0.0078125, True)


# -------------------------------------------------------------------------- diagnosis
def _declared(*hyps: tuple[str | None, str, float]) -> list[dict[str, Any]]:
    return [
        {
            "time": 0.0,
            "hypotheses": [{"component": c, "kind": k, "confidence": p} for c, k, p in hyps],
        }
    ]


@pytest.mark.parametrize(
    ("hyps", "verdicts", "accuracy", "brier", "fraction", "points"),
    [
        # exact, sure: Brier (1-1)^2 + (0-0)^2 = 0; 0.8 x 1 + 0.2 x 1 = 1 -> 25
        ([("payments", "bad-deploy", 1.0)], ["exact"], 1.0, 0.0, 1.0, 25.0),
        # exact at 0.75: Brier (0.75-1)^2 + (0.25-0)^2 = 0.125, calibration 1 - 0.125/2 =
        # 0.9375; 0.8 + 0.2 x 0.9375 = 0.9875 -> 25 x 0.9875 = 24.6875 -> 24.69
        ([("payments", "bad-deploy", 0.75)], ["exact"], 1.0, 0.125, 0.9875, 24.69),
        # right component, wrong kind, at 0.5: accuracy 0.5; Brier (0.5-0)^2 + (0.5-1)^2 =
        # 0.5, calibration 0.75; 0.8 x 0.5 + 0.2 x 0.75 = 0.55 -> 13.75
        ([("payments", "memory-leak", 0.5)], ["component"], 0.5, 0.5, 0.55, 13.75),
        # right kind on a symptom component (checkout, on the causal chain): accuracy 0.35;
        # 0.8 x 0.35 + 0.2 x 0.75 = 0.43 -> 10.75
        ([("checkout", "bad-deploy", 0.5)], ["symptom"], 0.35, 0.5, 0.43, 10.75),
        ([("payments-db", "bad-deploy", 0.5)], ["symptom"], 0.35, 0.5, 0.43, 10.75),
        # sure and wrong: Brier (1-0)^2 + (0-1)^2 = 2, calibration 0 -> 0
        ([("catalog", "bad-deploy", 1.0)], ["wrong"], 0.0, 2.0, 0.0, 0.0),
        # wrong at 0.5, then exact at 0.25 (rank 2, weight 0.5): accuracy 0.5; Brier
        # 0.5^2 + (0.25-1)^2 + 0.25^2 (something else) = 0.875, calibration 0.5625;
        # 0.8 x 0.5 + 0.2 x 0.5625 = 0.5125 -> 12.8125 -> 12.81
        (
            [("catalog", "bad-deploy", 0.5), ("payments", "bad-deploy", 0.25)],
            ["wrong", "exact"],
            0.5,
            0.875,
            0.5125,
            12.81,
        ),
        # exact third (weight 0.25) at 0.5 after two wrong at 0.25: Brier 0.0625 + 0.0625 +
        # 0.25 + 0 = 0.375, calibration 0.8125; 0.8 x 0.25 + 0.2 x 0.8125 = 0.3625 -> 9.06
        (
            [
                ("catalog", "bad-deploy", 0.25),
                ("web", "memory-leak", 0.25),
                ("payments", "bad-deploy", 0.5),
            ],
            ["wrong", "wrong", "exact"],
            0.25,
            0.375,
            0.3625,
            9.06,
        ),
        # confidences adding up to 2 are scaled to 0.5 each: Brier (0.5-1)^2 + 0.5^2 + 0 =
        # 0.5, calibration 0.75; 0.8 x 1 + 0.2 x 0.75 = 0.95 -> 23.75
        (
            [("payments", "bad-deploy", 1.0), ("catalog", "bad-deploy", 1.0)],
            ["exact", "wrong"],
            1.0,
            0.5,
            0.95,
            23.75,
        ),
    ],
)
def test_diagnosis_by_rank_with_the_brier_term(
    storm: Scenario,
    hyps: list[tuple[str, str, float]],
    verdicts: list[str],
    accuracy: float,
    brier: float,
    fraction: float,
    points: float,
) -> None:
    d = scoring.diagnosis(storm, _declared(*hyps))
    assert d["verdicts"] == verdicts
    assert d["accuracy"] == accuracy
    assert d["brier"] == brier
    assert d["calibration"] == 1.0 - brier / 2.0
    assert d["fraction"] == fraction
    assert scoring.points(_fractions(diagnosis=d["fraction"]), 0.0, 0.0)["diagnosis"] == points


def test_only_the_last_declaration_counts_and_none_earns_nothing(storm: Scenario) -> None:
    first = _declared(("payments", "bad-deploy", 1.0))
    last = _declared(("catalog", "bad-deploy", 1.0))
    assert scoring.diagnosis(storm, first + last)["fraction"] == 0.0
    assert scoring.diagnosis(storm, last + first)["fraction"] == 1.0
    assert scoring.diagnosis(storm, [])["fraction"] == 0.0


# ------------------------------------------------------------------- time to mitigate
@pytest.mark.parametrize(
    ("player", "fraction"),
    [
        # reference 100 s, doing nothing 2800 s: full credit up to 100 + 300 = 400 s,
        # then (2800 - T) / (2800 - 100 - 300) = (2800 - T) / 2400
        (60.0, 1.0),
        (400.0, 1.0),
        (1600.0, 0.5),  # 1200 / 2400
        (2200.0, 0.25),  # 600 / 2400
        (2800.0, 0.0),
        (3400.0, 0.0),  # slower than doing nothing: clamped
        (None, 0.0),  # no recovery that holds
    ],
)
def test_time_to_mitigate(player: float | None, fraction: float) -> None:
    assert scoring.time_fraction(player, 100.0, 2800.0) == fraction


def test_no_time_credit_for_hidden_symptoms_or_a_broken_system() -> None:
    assert scoring.time_fraction(60.0, 100.0, 2800.0, hiding=True) == 0.0
    assert scoring.time_fraction(60.0, 100.0, 2800.0, broken=True) == 0.0
    # no room between the reference's grace and doing nothing: only the grace earns
    assert scoring.time_fraction(500.0, 100.0, 350.0) == 0.0
    assert scoring.time_fraction(350.0, 100.0, 350.0) == 1.0


def _pop(bad: list[float], total: float = 100.0) -> impact.Population:
    arr = np.array(bad, dtype=np.float64)
    return impact.Population("shop availability", None, 0.99, arr, np.full(arr.size, total), 8.0)


def test_time_to_mitigate_counts_only_a_recovery_that_holds() -> None:
    # 10-second ticks: HOLD_S = 300 s is 30 ticks. Burn rate = bad / 100 / 0.01: 5 bad is
    # 5x (unhealthy), 0 is healthy. Paged at tick 10, horizon tick 100.
    dt = 10.0
    held = impact.recovery([_pop([5.0] * 40 + [0.0] * 60)], 10, 40, 100, dt)
    # last unhealthy tick 39 -> recovered at tick 40, 60 healthy ticks >= 30: it holds;
    # T = (40 - 10) x 10 = 300 s
    assert (held.held, held.at_tick) == (True, 40)
    t_player = (held.at_tick - 10) * dt
    assert t_player == 300.0
    assert scoring.time_fraction(t_player, 100.0, 2800.0) == 1.0  # 300 <= 100 + 300
    # healthy from tick 75: only 25 ticks (250 s) before the horizon, less than HOLD_S:
    # no recovery, no time credit
    late = impact.recovery([_pop([5.0] * 75 + [0.0] * 25)], 10, 40, 100, dt)
    assert (late.held, late.at_tick) == (False, None)
    assert scoring.time_fraction(late.at_tick, 100.0, 2800.0) == 0.0
    # recovered, then unhealthy again for one tick in the settling period: it counts from
    # after the relapse (tick 81), which still leaves 19 ticks < 30: no recovery
    relapse = impact.recovery([_pop([5.0] * 40 + [0.0] * 40 + [5.0] + [0.0] * 19)], 10, 40, 100, dt)
    assert (relapse.held, relapse.at_tick, relapse.bad_ticks_after_end) == (False, None, 1)


# ------------------------------------------------------------------ collateral damage
@pytest.mark.parametrize(
    ("player", "fraction"),
    [
        # span 0.5: an excess of 0.5 x 0.5 = 0.25 over the reference's 0.0625 costs it all
        (0.0, 1.0),  # less than the reference: no excess
        (0.0625, 1.0),
        (0.1875, 0.5),  # excess 0.125: 1 - 0.125 / 0.25
        (0.3125, 0.0),  # excess 0.25
        (0.5, 0.0),
    ],
)
def test_collateral_damage(player: float, fraction: float) -> None:
    assert scoring.collateral_fraction(player, 0.0625, 0.5) == fraction


def test_collateral_is_harm_beyond_doing_nothing() -> None:
    # budget 8; player bad [0, 3, 1, 2], doing nothing [1, 1, 1, 1]: the player was worse on
    # tick 1 (by 2) and tick 3 (by 1): 3 / 8 = 0.375; better ticks do not offset
    player, nothing = _pop([0.0, 3.0, 1.0, 2.0]), _pop([1.0, 1.0, 1.0, 1.0])
    assert impact.extra_harm([player], [nothing], 0, 4) == {"shop availability": 0.375}


# ----------------------------------------------------------------- investigation cost
@pytest.mark.parametrize(
    ("query_s", "fraction"),
    [(0.0, 1.0), (300.0, 1.0), (1050.0, 0.5), (1425.0, 0.25), (1800.0, 0.0), (5000.0, 0.0)],
)
def test_investigation_cost(query_s: float, fraction: float) -> None:
    # the first 300 s are free, then 1 - (q - 300) / 1500: 1050 s -> 1 - 750/1500 = 0.5
    assert scoring.investigation_fraction(query_s) == fraction
    # queries that never reached the causal chain earn nothing, however cheap
    assert scoring.investigation_fraction(query_s, evidence=False) == 0.0


@pytest.mark.parametrize(("unneeded", "left"), [(0, 1.0), (1, 0.8), (2, 0.6), (5, 0.0), (9, 0.0)])
def test_each_unneeded_change_costs_a_fifth_of_collateral(unneeded: int, left: float) -> None:
    assert scoring.risk_fraction(unneeded) == pytest.approx(left, abs=1e-12)


def test_a_guess_keeps_half_the_diagnosis(storm: Scenario) -> None:
    # exact and sure: 1.0 when informed, 0.5 declared before looking at any evidence
    d = scoring.diagnosis(storm, _declared(("payments", "bad-deploy", 1.0)), informed=False)
    assert (d["fraction"], d["informed"]) == (0.5, False)


def test_query_time_adds_up_the_queries_only() -> None:
    # 45 s + 20 s of queries; the mitigation's 30 s and the wait do not count; a record
    # without cost_s is charged up to the next action (or now)
    actions = [
        {"time": 1000.0, "action": {"type": "query", "view": "metric"}, "cost_s": 45.0},
        {"time": 1045.0, "action": {"type": "mitigate"}, "cost_s": 30.0},
        {"time": 1075.0, "action": {"type": "wait", "seconds": 600}, "cost_s": 600.0},
        {"time": 1675.0, "action": {"type": "query", "view": "slo"}, "cost_s": 20.0},
        {"time": 1695.0, "action": {"type": "query", "view": "map"}},
    ]
    session = cast(Session, SimpleNamespace(actions=actions, now=1705.0))
    assert scoring.query_time(session) == 45.0 + 20.0 + 10.0


# ------------------------------------------------------------------ gates and totals
def _fractions(**given: float) -> dict[str, float]:
    base = {"slo": 0.0, "diagnosis": 0.0, "time": 0.0, "collateral": 0.0, "investigation": 0.0}
    return {**base, **given}


def test_gates() -> None:
    # with harm to avoid: gate = max(slo, diagnosis); the SLO and time parts get half, plus
    # half the diagnosis: 0.5 + 0.5 x 0.5 = 0.75, and 1 only with the cause fully named
    assert scoring.gates(0.75, 0.5, True) == (0.75, 0.75)
    assert scoring.gates(0.25, 0.5, True) == (0.5, 0.75)
    assert scoring.gates(1.0, 0.0, True) == (1.0, 0.5)
    assert scoring.gates(1.0, 1.0, True) == (1.0, 1.0)
    # without: the SLO fraction opens nothing; everything rests on the diagnosis
    assert scoring.gates(1.0, 0.25, False) == (0.25, 0.25)


def test_points_and_total_with_harm_to_avoid() -> None:
    fr = _fractions(slo=0.75, diagnosis=0.5, time=1.0, collateral=0.5, investigation=0.25)
    gate, outcome = scoring.gates(0.75, 0.5, True)  # (0.75, 0.75)
    pts = scoring.points(fr, gate, outcome)
    # 40 x 0.75 x 0.75 = 22.5; 25 x 0.5 = 12.5; 15 x 1 x 0.75 = 11.25; 10 x 0.5 x 0.75 =
    # 3.75; 10 x 0.25 x 0.75 = 1.875 -> 1.88 (rounded to 0.01); total 51.88 -> 51.9, an F
    assert pts == {
        "slo": 22.5,
        "diagnosis": 12.5,
        "time": 11.25,
        "collateral": 3.75,
        "investigation": 1.88,
    }
    assert scoring.total(pts) == 51.9
    assert scoring.grade(scoring.total(pts)) == "F"


def test_points_and_total_without_harm_to_avoid() -> None:
    # a false alarm kept whole (slo 1, time 1, no collateral, no query time) and a diagnosis
    # worth 0.75: gate = outcome gate = 0.75 -> 30 + 18.75 + 11.25 + 7.5 + 7.5 = 75, a C
    fr = _fractions(slo=1.0, diagnosis=0.75, time=1.0, collateral=1.0, investigation=1.0)
    gate, outcome = scoring.gates(1.0, 0.75, False)
    pts = scoring.points(fr, gate, outcome)
    assert pts == {
        "slo": 30.0,
        "diagnosis": 18.75,
        "time": 11.25,
        "collateral": 7.5,
        "investigation": 7.5,
    }
    assert scoring.total(pts) == 75.0
    assert scoring.grade(75.0) == "C"


def test_assess_composes_the_parts_as_pinned(storm: Scenario) -> None:
    """A whole game's parts equal the pinned functions applied to its own measurements."""
    acts = [
        {"type": "query", "view": "metric", "component": "payments"},
        {"type": "wait", "seconds": 600},
        {"type": "mitigate", "action": "rollback", "target": "payments"},
        {"type": "declare", "component": "payments", "kind": "memory-leak", "confidence": 0.5},
        {"type": "end"},
    ]
    score = scoring.assess(scoring.play(storm, acts)[0]).score
    b = score.part("slo").data["burned"]
    slo, span, real = scoring.slo_fraction(b["player"], b["reference"], b["nothing"])
    assert score.part("slo").data["fraction"] == round(slo, 6)
    t = score.part("time").data
    assert t["fraction"] == round(
        scoring.time_fraction(t["player_s"], t["reference_s"], t["nothing_s"]), 6
    )
    assert score.part("diagnosis").data["fraction"] == 0.55  # component at 0.5, as above
    assert score.part("investigation").data["query_s"] == 45.0  # one metric view
    assert score.part("investigation").data["fraction"] == 1.0
    parts = {p.key: p.points for p in score.parts}
    assert sum(p.max_points for p in score.parts) == 100.0
    assert score.total == scoring.total(parts)


# ----------------------------------------------------------------------------- paging
def _series(ratio: list[float]) -> slo_mod.SloSeries:
    # one event per 10-second tick; a 99.9 % objective allows a bad ratio of 0.001
    bad = np.array(ratio, dtype=np.float64)
    return slo_mod.SloSeries(SLO(journey="shop", target=0.999), np.ones(bad.size), bad, 10.0)


def _first_page(s: slo_mod.SloSeries) -> int | None:
    return next((e for e in range(1, s.total.size + 1) if s.paging(e)), None)


def test_the_page_rules_are_the_sre_multi_window_burn_rates() -> None:
    assert slo_mod.PAGE_RULES == ((3600.0, 300.0, 14.4), (21600.0, 1800.0, 6.0))
    assert PAGE_GRACE == 1200.0


def test_a_fast_burn_pages_on_the_one_hour_and_five_minute_windows() -> None:
    # a 1.5 % bad ratio burns at 15x from tick 0. Events before the window count as good, so
    # the 1 h window (360 ticks) burns 15 x e / 360 at tick e: > 14.4 from e = 346 (14.42;
    # e = 345 gives 14.375). The 5 min window burns 15 > 14.4 throughout.
    s = _series([0.015] * 400)
    assert _first_page(s) == 346


def test_a_slow_burn_pages_only_on_the_six_hour_and_thirty_minute_windows() -> None:
    # 0.7 % burns at 7x: never the fast rule (7 < 14.4). The 6 h window (2160 ticks) burns
    # 7 x e / 2160: > 6 from e = 1852 (6.002; e = 1851 gives 5.9986) -- over five hours,
    # which is why a player is called in by PAGE_GRACE before that
    s = _series([0.007] * 2000)
    assert _first_page(s) == 1852
    # just under the fast threshold (14.3x): the slow rule, at 14.3 x e / 2160 > 6, e = 907
    assert _first_page(_series([0.0143] * 1000)) == 907
    # 5x never pages
    assert _first_page(_series([0.005] * 3000)) is None


def test_both_windows_must_burn() -> None:
    # 20x for one hour, then nothing: at tick 360 both fast windows burn 20x (a page); 30
    # ticks later the 1 h window still burns 20 x 330/360 = 18.3 but the last 5 min burn
    # nothing, and the 6 h window burns 20 x 360/2160 = 3.3 < 6: no page
    s = _series([0.02] * 360 + [0.0] * 60)
    assert s.paging(360)
    assert not s.paging(390)


def test_the_session_calls_the_player_at_the_first_page(storm: Scenario) -> None:
    s = Session(storm)
    s.reset()
    assert s.sim is not None
    tick = s.sim.history.ticks
    series = slo_mod.all_series(s.sim)
    assert any(x.paging(tick) for x in series)
    assert not any(x.paging(tick - 1) for x in series)
    assert storm.onset < s.start_time < storm.onset + PAGE_GRACE


def test_without_a_page_the_player_is_called_after_the_grace() -> None:
    # no fault: onset = duration / 4 = 900 s; nothing pages, so the player is called at
    # 900 + 1200 = 2100 s ...
    calm = make_scenario()
    s = Session(calm)
    s.reset()
    assert s.start_time == 900.0 + PAGE_GRACE
    # ... unless that leaves less than the time limit: duration 2400, limit 1200: 1200 s
    short = Session(make_scenario(duration=2400.0))
    short.reset()
    assert short.start_time == 2400.0 - 1200.0
    # page_at overrides both
    fixed = Session(make_scenario(page_at=700.0))
    fixed.reset()
    assert fixed.start_time == 700.0
