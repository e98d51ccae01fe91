"""Turning a flag off stops the feature it gates (``engine/flag_features.py``), against
references computed by hand: the share of the journey's requests that need the feature and
lose it is ``share x (authored reach - reach now)``; they fail, or are answered without it
(wrong answers of the correctness SLI: ``requests x (1 - errors) x wrong``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine import slo
from chaosgame.engine.flag_features import authored_reach
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario
from tests.telemetry.test_gaps import run

ADAPTER = mitigation_adapter()
TOGGLE_DELAY = 30.0  # a flag change acts 30 s after it is asked for (its catalogue delay)


def gated(lost: str = "degraded", **flag: Any) -> Scenario:
    """The tiny shop with a flag on ``api`` whose feature 30 % of the shop's requests use."""
    spec = {
        "name": "gift-notes",
        "components": ["api"],
        "on": True,
        "feature": {"journeys": ["shop"], "share": 0.3, "lost": lost, "what": "gift notes"},
        **flag,
    }
    return make_scenario(
        flags=[spec],
        slos=[
            {"journey": "shop", "sli": "availability", "target": 0.999},
            {"journey": "shop", "sli": "correctness", "target": 0.999},
        ],
    )


def toggled(sc: Scenario, at: float, until: float = 900.0, **change: Any) -> Simulator:
    sim = Simulator(sc, seed=4)
    sim.run_until(at)
    sim.mitigate(
        ADAPTER.validate_python({"action": "toggle-flag", "target": "gift-notes", **change})
    )
    sim.run_until(until)
    return sim


def tick_of(t: float) -> int:
    return int(t // 10)


def test_a_flag_turned_off_degrades_the_requests_that_need_its_feature() -> None:
    """Off at 330 s: 30 % of the shop's answers lack the feature from then on (wrong answers
    of the correctness SLI, never errors); before, none."""
    sim = toggled(gated(), 300.0, on=False)
    wrong = sim.history.journey["wrong"][:, 0]
    errors = sim.history.journey["errors"][:, 0]
    assert wrong[: tick_of(330)].max() == 0.0
    assert wrong[tick_of(330) : sim.history.ticks] == pytest.approx(0.3, abs=1e-6)
    assert errors[: sim.history.ticks].max() < 1e-3
    (availability, correctness) = slo.all_series(sim)[:2]
    t = tick_of(500)
    assert correctness.bad[t] == pytest.approx(correctness.total[t] * 0.3, rel=1e-3)
    assert availability.bad[t] < availability.total[t] * 1e-3


def test_a_feature_whose_requests_fail_without_it() -> None:
    sim = toggled(gated("fails"), 300.0, on=False)
    errors = sim.history.journey["errors"][:, 0]
    assert errors[tick_of(330) : sim.history.ticks] == pytest.approx(0.3, abs=1e-3)
    assert sim.history.journey["wrong"][: sim.history.ticks, 0].max() == 0.0


def test_the_loss_is_measured_against_what_the_owners_set() -> None:
    """Authored at 10 %, ramped to 100 % at 200 s: back to 10 % at 330 s loses the feature
    for 0.3 x 0.9 of the requests, off for 0.3 x 1.0; a flag left alone costs nothing, and
    a flag turned on beyond its owners' setting gains nothing."""
    sc = gated(percentage=10.0, changes=[{"at": 200.0, "on": True, "percentage": 100.0}])
    assert authored_reach(sc.flags[0], 100.0) == 0.1
    assert authored_reach(sc.flags[0], 200.0) == 1.0
    back = toggled(sc, 300.0, on=True, percentage=10.0)
    assert back.history.journey["wrong"][tick_of(400), 0] == pytest.approx(0.27, abs=1e-6)
    off = toggled(sc, 300.0, on=False)
    assert off.history.journey["wrong"][tick_of(400), 0] == pytest.approx(0.3, abs=1e-6)
    alone = Simulator(sc, seed=4)
    alone.run_until(900.0)
    assert alone.history.journey["wrong"][: alone.history.ticks, 0].max() == 0.0
    assert alone.features is not None
    assert np.array(alone.features.lost).max() == 0.0
    early = toggled(sc, 100.0, on=True, percentage=100.0, until=190.0)
    assert early.history.journey["wrong"][: early.history.ticks, 0].max() == 0.0


def test_the_feature_counter_shows_the_requests_served_and_lost() -> None:
    """``feature_requests_total{flag, served}``: 0.3 x the journey's rate served while the
    flag is on, lost once it is off (the counter's rate over 2 minutes, read at 300 s and at
    the end)."""
    sim = toggled(gated(), 300.0, on=False, until=1200.0)
    rate = sim.history.journey["rate"][: sim.history.ticks, 0].astype(np.float64)
    q = 'sum by (served) (rate(feature_requests_total{flag="gift-notes"}[2m]))'
    got = {s["labels"]["served"]: dict(s["points"]) for s in run(sim, q)[0]["series"]}
    before = rate[tick_of(180) : tick_of(300)].mean()
    last = max(got["no"])
    after = rate[tick_of(last - 120) : tick_of(last)].mean()
    assert last >= 1000.0
    assert got["yes"][300.0] == pytest.approx(0.3 * before, rel=0.02)
    assert got["no"][300.0] == pytest.approx(0.0, abs=1e-9)
    assert got["no"][last] == pytest.approx(0.3 * after, rel=0.02)
    assert got["yes"][last] == pytest.approx(0.0, abs=1e-9)


def test_a_feature_names_known_journeys() -> None:
    with pytest.raises(ValueError, match=r"flags\[0\]\.feature\.journeys: unknown journey 'shopp'"):
        make_scenario(
            flags=[{"name": "f", "feature": {"journeys": ["shopp"], "share": 0.5}}],
        )
    with pytest.raises(ValueError, match="value > 0"):
        make_scenario(
            flags=[{"name": "f", "feature": {"journeys": ["shop"], "share": 0.5, "lost": "money"}}],
        )


def test_a_feature_whose_loss_costs_money_counts_in_the_harm_beyond_slos() -> None:
    """``lost: money``: the answers are the same, each request without the feature costs
    ``value``: money = value x share x the journey's requests after the flag went off."""
    from chaosgame.game.harm import measures, series

    flag = {
        "name": "gift-notes",
        "components": ["api"],
        "on": True,
        "feature": {"journeys": ["shop"], "share": 0.3, "lost": "money", "value": 0.02},
    }
    sc = make_scenario(flags=[flag], harm={"money": [{"journey": "shop", "per_request": 1.0}]})
    sim = toggled(sc, 300.0, on=False)
    s = series(sim)
    assert s is not None
    t = sim.history.ticks
    rate = sim.history.journey["rate"][:t, 0].astype(np.float64)
    orders = float((s["failed:shop"] + s["wrong:shop"]).sum())  # 1.0 each, none here
    expected = 0.02 * 0.3 * float(rate[tick_of(330) :].sum()) * 10.0 + orders
    assert measures(sc, s, 0, t, 10.0)["money"] == pytest.approx(expected, rel=1e-3)
    assert sim.history.journey["wrong"][:t, 0].max() == 0.0
    assert sim.history.journey["errors"][:t, 0].max() < 1e-3
