"""IncidentEnv: the agent protocol with Gymnasium's reset/step shape."""

from __future__ import annotations

import pytest

from chaosgame.game.env import IncidentEnv
from chaosgame.scenario.library import load


@pytest.fixture(scope="module")
def env() -> IncidentEnv:
    return IncidentEnv(load("checkout-payment-step-failing"))


def test_an_episode_from_reset_to_the_end(env: IncidentEnv) -> None:
    obs, info = env.reset()
    assert info == {}
    assert obs["result"]["briefing"]["title"]
    obs, reward, terminated, truncated, info = env.step({"op": "query", "view": "map"})
    assert reward == 0.0
    assert not terminated
    assert not truncated
    assert info == {}
    assert obs["result"]["answer"]["components"]
    obs, reward, terminated, truncated, info = env.step({"op": "mitigate", "action": "nope"})
    assert info == {"error": "invalid_params"}
    assert not terminated
    for action in (  # an informed play: the evidence first, then the fixes, then verify
        {"op": "query", "view": "deploys", "component": "payments", "window": "2h"},
        {"op": "mitigate", "action": "rollback", "target": "payments"},
        {"op": "wait", "until": "next"},
        {"op": "mitigate", "action": "disable-retries", "target": "checkout", "to": "payments"},
        {"op": "wait", "seconds": "5m"},
        {"op": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.85},
    ):
        assert "result" in env.step(action)[0]
    obs, reward, terminated, truncated, info = env.step({"op": "end"})
    assert terminated
    assert not truncated
    assert reward == info["score"]["total"] / 100
    assert reward > 0.85
    assert info["debrief"]["root_cause"]["component"] == "payments"


def test_the_time_limit_truncates(env: IncidentEnv) -> None:
    env.reset()
    for _ in range(60):
        _, reward, terminated, truncated, info = env.step({"op": "wait", "seconds": 3600})
        if terminated or truncated:
            break
    assert truncated
    assert not terminated
    assert "score" in info
    assert reward == info["score"]["total"] / 100


def test_reset_starts_again_the_same_and_a_seed_changes_the_world(env: IncidentEnv) -> None:
    first, _ = env.reset()
    again, _ = env.reset()
    assert first == again
    other, _ = env.reset(seed=99)
    assert other != first
    assert env.reset()[0] == other  # the seed is kept for later resets


def test_step_before_reset_and_bad_actions() -> None:
    fresh = IncidentEnv(load("checkout-payment-step-failing"))
    with pytest.raises(RuntimeError, match="reset"):
        fresh.step({"op": "observe"})
    fresh.reset()
    obs, _, _, _, info = fresh.step(["not", "a", "mapping"])  # type: ignore[arg-type]
    assert info == {"error": "invalid_request"}
    assert "error" in obs
    with pytest.raises(ValueError, match="options"):
        fresh.reset(options={"x": 1})
