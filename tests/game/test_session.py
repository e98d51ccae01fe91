"""The headless session: observe, act, pay in simulated time, never leak the truth."""

from __future__ import annotations

import json

import pytest

from chaosgame.game.session import Session
from chaosgame.game.views import COSTS
from chaosgame.scenario.costs import MITIGATION_HANDS_ON
from chaosgame.scenario.library import load


@pytest.fixture
def session() -> Session:
    s = Session(load())
    s.reset()
    return s


def test_reset_pages_after_the_onset_with_history_before(session: Session) -> None:
    obs = session.observe()
    assert session.start_time > session.scenario.onset
    assert obs["alerts"], "the player is paged because an SLO alert fired"
    assert session.sim is not None
    assert session.sim.history.ticks * 10 >= session.scenario.onset


def test_queries_cost_simulated_time(session: Session) -> None:
    before = session.observe()["time"]
    out = session.step({"type": "query", "view": "metric", "component": "payments"})
    assert out["ok"]
    assert out["cost_s"] == COSTS["metric"]
    assert out["observation"]["time"] == before + COSTS["metric"]


def test_mitigation_takes_effect_after_its_delay(session: Session) -> None:
    out = session.step({"type": "mitigate", "action": "rollback", "target": "payments"})
    assert out["ok"]
    assert out["cost_s"] == MITIGATION_HANDS_ON
    assert out["observation"]["pending_mitigations"]
    session.step({"type": "wait", "seconds": 120})
    assert not session.observe()["pending_mitigations"]
    assert session.sim is not None
    versions = session.sim.state.versions[session.sim.world.index["payments"]]
    assert versions.rollout is not None  # the pods are replaced in waves
    assert versions.rollout.to == "v3.1.9"
    session.step({"type": "wait", "seconds": 300})  # the release's 5-minute deploy
    assert versions.stable == "v3.1.9"


def test_reference_solution_recovers_and_doing_nothing_does_not() -> None:
    sc = load()
    fixed, idle = Session(sc), Session(sc)
    fixed.reset(), idle.reset()
    for m in sc.truth.mitigations:
        assert fixed.step({"type": "mitigate", **m.model_dump()})["ok"]
    for s in (fixed, idle):
        s.step({"type": "wait", "seconds": 900})
    burn = {s: s.observe()["slos"][0]["burn_5m"] for s in (fixed, idle)}
    assert burn[fixed] < 1.0
    assert burn[idle] > 14.4


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ({"type": "fly"}, "unknown action type"),
        ({"type": "query", "view": "metric", "component": "paymnets"}, "did you mean 'payments'"),
        ({"type": "query", "view": "metric", "component": "payments", "metric": "erors"}, "errors"),
        ({"type": "mitigate", "action": "rollback", "target": "payments-db"}, "cannot act on"),
        ({"type": "mitigate", "action": "rollbak", "target": "payments"}, "rollback"),
        (
            {"type": "mitigate", "action": "disable-retries", "target": "web", "to": "payments"},
            "does not call",
        ),
        ({"type": "wait", "seconds": -5}, "seconds"),
        (
            {"type": "declare", "component": "payments", "kind": "bad-deploi"},
            "did you mean 'bad-deploy'",
        ),
        ("not a dict", "must be an object"),
    ],
)
def test_bad_actions_get_a_clear_error_and_cost_nothing(
    session: Session, action: object, says: str
) -> None:
    before = session.observe()["time"]
    out = session.step(action)  # type: ignore[arg-type]
    assert out["ok"] is False
    assert says in out["error"]
    assert out["observation"]["time"] == before


def test_game_ends_at_the_time_limit(session: Session) -> None:
    while not session.ended:
        session.step({"type": "wait", "seconds": 3600})
    assert session.observe()["status"] == "ended"
    assert session.observe()["time"] == pytest.approx(session.deadline)
    assert session.step({"type": "wait", "seconds": 10})["ok"] is False


def test_no_observation_carries_the_truth(session: Session) -> None:
    outputs = [session.observe(), session.briefing()]
    for view in ("map", "events", "slo", "deploys"):
        outputs.append(session.step({"type": "query", "view": view, "window": 7200}))
    for comp in session.scenario.components:
        outputs.append(session.step({"type": "query", "view": "metric", "component": comp.name}))
    text = json.dumps(outputs)
    truth = session.scenario.truth
    assert truth.root_cause.kind not in text
    for step in truth.causal_chain:
        assert step.what not in text
    for herring in truth.red_herrings:
        assert herring.why not in text
    assert "root_cause" not in text
    assert "truth" not in text


def test_what_an_ended_game_shows_is_the_same_before_and_after_it_is_scored(
    session: Session,
) -> None:
    session.step({"type": "mitigate", "action": "rollback", "target": "payments"})
    session.step({"type": "end"})
    ended = session.observe()
    assert ended["status"] == "ended"
    session.finish()  # scoring runs the world on past the end
    assert session.sim is not None
    assert session.sim.now > session.now
    assert session.observe() == ended
