"""A game master's events added to a game in progress: checked first, then taken at the
game's clock, the same every time the game is replayed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chaosgame.game.agent_session import AgentSession
from chaosgame.game.injections import InjectionError, check
from chaosgame.scenario.library import load

SCENARIO = "checkout-payment-step-failing"


@pytest.fixture(scope="module")
def scenario() -> Any:
    return load(SCENARIO)


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ("fault", "an event is an object"),
        ({"kind": "fire"}, "not one of: message, deploy, fault"),
        ({"kind": "message"}, "text is text of 1 to 500"),
        ({"kind": "message", "text": "x" * 501}, "this has 501"),
        ({"kind": "message", "text": "hi", "colour": "red"}, "unknown field 'colour'"),
        ({"kind": "deploy", "component": "paymnts"}, "did you mean 'payments'?"),
        ({"kind": "deploy", "component": "fraud-api"}, "run by a provider"),
        ({"kind": "deploy", "component": "payments"}, "depends on its version"),
        ({"kind": "deploy", "component": "web", "version": "v 2"}, "version is 1 to 40"),
        ({"kind": "deploy", "component": "web", "strategy": "yolo"}, "strategy"),
        ({"kind": "fault", "fault": "slow"}, "as in a scenario file"),
        (
            {"kind": "fault", "fault": {"kind": "latency-regresion", "target": "web"}},
            "did you mean 'latency-regression'?",
        ),
        (
            {"kind": "fault", "fault": {"kind": "latency-regression", "target": "nope"}},
            "fault.target: unknown component 'nope'",
        ),
        (
            {"kind": "fault", "fault": {"kind": "latency-regression", "target": "web", "at": 5}},
            "leave out 'at'",
        ),
        (
            {"kind": "fault", "fault": {"kind": "latency-regression", "target": "web"}, "in": "9h"},
            "in is from 0s to 45m",
        ),
    ],
)
def test_a_bad_event_is_refused_with_what_is_wrong(scenario: Any, event: Any, says: str) -> None:
    with pytest.raises(InjectionError, match=None) as caught:
        check(scenario, event)
    assert says in str(caught.value)


FAULT = {"kind": "fault", "fault": {"kind": "latency-regression", "target": "web", "factor": 8}}
DEPLOY = {"kind": "deploy", "component": "catalog", "author": "sam"}
MESSAGE = {"kind": "message", "sender": "Priya (DBA)", "text": "lock waits on payments-db?"}


def _play(scenario: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    s = AgentSession(scenario)
    out = [s.handle({"op": "observe"}), s.handle({"op": "wait", "seconds": 120})]
    for e in events:
        s.inject(check(scenario, e))
    out.append(s.handle({"op": "wait", "seconds": 300}))
    out.append(s.handle({"op": "query", "view": "events", "window": "10m"}))
    out.append(
        s.handle(
            {
                "op": "query",
                "view": "metric",
                "component": "web",
                "metric": "latency_p99",
                "window": "5m",
            }
        )
    )
    out.append(s.handle({"op": "end"}))
    return out


def test_events_reach_the_game_at_its_clock_and_replay_the_same(scenario: Any) -> None:
    with_events = _play(scenario, [FAULT, DEPLOY, MESSAGE])
    assert json.dumps(with_events) == json.dumps(_play(scenario, [FAULT, DEPLOY, MESSAGE]))
    without = _play(scenario, [])
    assert with_events[:2] == without[:2]  # nothing changes before the event arrives
    at = with_events[1]["result"]["observation"]["time"]
    events = with_events[3]["result"]["answer"]["events"]
    message = [e for e in events if e["kind"] == "message"]
    assert message == [
        {
            "time": at,
            "kind": "message",
            "component": "",
            "message": "lock waits on payments-db?",
            "actor": "Priya (DBA)",
        }
    ]
    deploy = [e for e in events if e["kind"] == "deploy" and e["time"] == at]
    assert len(deploy) == 1
    assert deploy[0]["component"] == "catalog"
    assert deploy[0]["actor"] == "sam"
    slow = with_events[4]["result"]["answer"]["points"]
    usual = without[4]["result"]["answer"]["points"]
    assert max(v for _, v in slow) > 3 * max(v for _, v in usual)
    assert "latency-regression" not in json.dumps(with_events[:5])  # the fault shows as itself


def test_the_scenario_other_games_share_is_left_as_it_was(scenario: Any) -> None:
    before = scenario.model_dump_json()
    s = AgentSession(scenario)
    s.handle({"op": "observe"})
    s.inject(check(scenario, FAULT))
    s.inject(check(scenario, DEPLOY))
    assert scenario.model_dump_json() == before
    other = AgentSession(scenario)
    assert other.handle({"op": "observe"}) == AgentSession(scenario).handle({"op": "observe"})


def test_a_noisy_deploy_takes_the_next_version_unless_told(scenario: Any) -> None:
    s = AgentSession(scenario)
    s.handle({"op": "observe"})
    first = s.inject(check(scenario, DEPLOY))
    named = s.inject(check(scenario, {**DEPLOY, "version": "v9.0.0-hotfix"}))
    assert first["version"] != named["version"]
    assert named["version"] == "v9.0.0-hotfix"
    head, _, last = first["version"].rpartition(".")
    assert head
    assert last.isdigit()
