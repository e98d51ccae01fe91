"""The status page: the player sees it, and the score counts the update cadence."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game import comms, scoring
from chaosgame.game.player import PlayerView
from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario
from tests.engine.fleet import fleet

OUTAGE: dict[str, Any] = {
    "faults": [
        {
            "kind": "bad-config",
            "target": "api",
            "at": 60.0,
            "key": "feature.mode",
            "value": "on",
            "error_rate": 0.5,
        }
    ],
    "page_at": 300.0,
    "time_limit": 2400.0,
    "truth": {
        "root_cause": {"component": "api", "kind": "bad-config"},
        "reference_solution": [{"action": "revert-config", "target": "api"}],
    },
}


def scenario(**more: Any) -> Scenario:
    return fleet(**{**OUTAGE, **more})


# --------------------------------------------------------------- the cadence, by hand
def test_cadence_counts_seconds_past_each_due_update() -> None:
    # page at 0, first due at 900, then every 1800 after each update, hurt until 4000
    assert comms.cadence([600.0, 2400.0, 3900.0], 0.0, 4000.0, 900.0, 1800.0) == (0.0, None)
    # first update 300s late (1200), the next due 3000: 1000s of silence past it by 4000
    dark, worst = comms.cadence([1200.0], 0.0, 4000.0, 900.0, 1800.0)
    assert dark == 300.0 + 1000.0
    assert worst == (1200.0, 4000.0)
    # no update at all: dark from 900 to 4000
    assert comms.cadence([], 0.0, 4000.0, 900.0, 1800.0) == (3100.0, (0.0, 4000.0))
    # an update after users stopped hurting does not count
    assert comms.cadence([4500.0], 0.0, 4000.0, 900.0, 1800.0) == (3100.0, (0.0, 4000.0))


# --------------------------------------------------------------- in a game
def play(sc: Scenario, updates: list[float]) -> scoring.Assessment:
    """Investigate nothing, post updates at the given minutes after the page, never fix it."""
    s = Session(sc)
    s.reset()
    page = s.start_time
    for minute in updates:
        s.step({"type": "wait", "seconds": page + minute * 60.0 - s.now})
        out = s.step({"type": "mitigate", "action": "post-status", "target": "shop"})
        assert out["ok"], out
    s.step({"type": "end"})
    return s.finish()


@pytest.fixture(scope="module")
def told() -> scoring.Assessment:
    # every 10 minutes from 5 minutes after the page: always on time (first due 15m, then 30m)
    return play(scenario(comms={"first_update": "15m", "cadence": "30m"}), [5, 15, 25, 35])


@pytest.fixture(scope="module")
def silent() -> scoring.Assessment:
    return play(scenario(comms={"first_update": "15m", "cadence": "30m"}), [])


def test_updates_on_time_earn_the_whole_part(told: scoring.Assessment) -> None:
    part = told.score.part("communication")
    assert (part.points, part.max_points) == (10.0, 10.0)
    assert part.detail.startswith("4 status updates while users were hurt")
    assert sum(p.max_points for p in told.score.parts) == pytest.approx(100.0)
    assert told.score.part("slo").max_points == pytest.approx(36.0)  # 40 x 0.9


def test_silence_loses_the_part_and_the_debrief_says_why(silent: scoring.Assessment) -> None:
    part = silent.score.part("communication")
    # users are hurt until the time limit, 40 minutes after the page (never fixed); the first
    # update was due at 15m: 25 minutes of dark time, 25/30 of a cadence, 25/30 of the part
    assert part.data["dark_s"] == pytest.approx(1500.0)
    assert part.points == pytest.approx(round(10.0 * (1.0 - 1500.0 / 1800.0), 2))
    assert part.detail == (
        "no status update while users were hurt; lost 8.3: no update for 40m while login "
        "availability failed"
    )
    view_text = " ".join(p.detail for p in silent.score.parts)
    assert "no update for 40m" in view_text


def test_a_scenario_without_comms_has_no_such_part_and_refuses_posts() -> None:
    s = Session(scenario())
    s.reset()
    out = s.step({"type": "mitigate", "action": "post-status", "target": "shop"})
    assert not out["ok"]
    assert out["error"] == "post-status: this incident has no public status page"
    assert "status_page" not in out["observation"]


def test_the_player_sees_the_status_page_and_when_the_next_update_is_due() -> None:
    view = PlayerView(scenario(comms={"first_update": "15m", "cadence": "30m"}))
    first = view.start()
    page = view.started_at
    assert first["status_page"] == {
        "posts": [],
        "last_update": None,
        "next_due": page + 900.0,
        "cadence_s": 1800.0,
    }
    out = view.act(
        {"type": "mitigate", "action": "post-status", "target": "shop", "message": "looking"}
    )
    assert out["ok"]
    view.act({"type": "wait", "seconds": 60})
    seen = view.observe()["status_page"]
    posted = page + 10.0  # the action's delay runs from the request (hands-on time runs too)
    assert seen["posts"] == [
        {"time": posted, "journey": "shop", "state": "investigating", "message": "looking"}
    ]
    assert seen["next_due"] == posted + 1800.0
