"""A latent fault placed before the window: the onset is when the harm begins, not when the
fault was placed, and ``check`` refuses a page that fires before anything is wrong."""

from __future__ import annotations

from typing import Any

from chaosgame.game.debrief import build_debrief
from chaosgame.game.session import Session
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario

FLAG_ON = 1800.0


def latent(**overrides: Any) -> Scenario:
    """A broken code path shipped a day before the window (``at: -1d``), behind a flag that
    someone turns on 30 minutes into it: nothing is wrong before the flag flips."""
    data: dict[str, Any] = {
        "flags": [
            {
                "name": "fast-path",
                "components": ["api"],
                "on": False,
                "changes": [{"at": FLAG_ON, "on": True}],
            }
        ],
        "faults": [
            {
                "kind": "broken-flag",
                "target": "api",
                "flag": "fast-path",
                "at": -86400.0,
                "error_rate": 0.8,
            }
        ],
        "truth": {
            "root_cause": {"component": "api", "kind": "broken-flag"},
            "reference_solution": [{"action": "toggle-flag", "target": "fast-path", "on": False}],
        },
    }
    data.update(overrides)
    return make_scenario(**data)


def test_the_page_waits_for_the_harm_of_a_latent_fault() -> None:
    session = Session(latent())
    session.reset()
    assert session.start_time > FLAG_ON  # paged by the burn-rate alert once the flag flipped
    assert session.onset == FLAG_ON


def test_a_fault_placed_before_the_window_acts_from_its_start() -> None:
    """Without a condition the fault acts from the first tick: the onset is t = 0 (never
    before the window) and the page still waits for the burn-rate alert."""
    sc = make_scenario(
        faults=[{"kind": "bad-config", "target": "api", "at": -3600.0, "error_rate": 0.5}],
        truth={"root_cause": {"component": "api", "kind": "bad-config"}},
    )
    session = Session(sc)
    session.reset()
    assert session.onset == 0.0
    assert 0.0 < session.start_time <= 1200.0


def test_check_passes_a_latent_fault_and_scores_from_the_real_onset() -> None:
    sc = latent()
    failed = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
    assert not failed, failed
    session = Session(sc)
    session.reset()
    session.step({"type": "end"})
    assessment = session.finish()
    assert assessment.onset_tick * sc.tick == FLAG_ON  # the budgets are measured from there
    assert build_debrief(assessment)["onset"]["time"] == FLAG_ON


def test_check_fails_a_page_that_fires_before_anything_is_wrong() -> None:
    checks = {c.name: c for c in check_scenario(latent(page_at=600.0))}
    hurts = checks["fault-hurts-slo"]
    assert not hurts.ok
    assert "page_at: the page at 10m fires before anything is wrong" in hurts.reason
    assert "faults[0] (broken-flag on api), acts from 30m" in hurts.reason
