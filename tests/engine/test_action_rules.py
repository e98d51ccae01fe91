"""Per-scenario action durations, requirements and risks (``recovery:``), in the engine."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.mitigations import MitigationError
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import MITIGATIONS, mitigation_adapter
from tests.engine.fleet import fleet


def spec(action: str, target: str, **params: Any) -> Any:
    return mitigation_adapter().validate_python({"action": action, "target": target, **params})


def sim_with(recovery: dict[str, Any] | None = None, **scenario: Any) -> Simulator:
    if recovery is not None:
        scenario["recovery"] = recovery
    sim = Simulator(fleet(**scenario))
    sim.run_until(300.0)
    return sim


def test_a_rollback_of_a_200_replica_fleet_takes_200_times_its_per_replica_time() -> None:
    rule = {"actions": [{"action": "rollback", "target": "api", "per_replica": "6s"}]}
    sim = sim_with(rule, patch={"api": {"replicas": 200}})
    assert sim.mitigate(spec("rollback", "api")) == 300.0 + 200 * 6.0  # 20 minutes
    # a fixed base plus the fleet: 1m + 3 replicas x 30s
    rule = {"actions": [{"action": "restart", "takes": "1m", "per_replica": "30s"}]}
    sim = sim_with(rule)
    assert sim.mitigate(spec("restart", "api")) == 300.0 + 60.0 + 3 * 30.0


def test_a_rule_for_one_target_wins_over_a_rule_for_any_and_others_keep_the_catalogue() -> None:
    rules = {
        "actions": [
            {"action": "restart", "takes": "10m"},
            {"action": "restart", "target": "cache", "takes": "2m"},
        ]
    }
    sim = sim_with(rules)
    assert sim.mitigate(spec("restart", "cache")) == 300.0 + 120.0
    assert sim.mitigate(spec("restart", "api")) == 300.0 + 600.0
    assert sim.mitigate(spec("rollback", "api")) == 300.0 + MITIGATIONS["rollback"].delay_s


def test_without_a_recovery_block_every_delay_is_the_catalogues() -> None:
    sim = sim_with()
    for action, target in (("restart", "api"), ("rollback", "api"), ("flush-cache", "cache")):
        assert sim.mitigate(spec(action, target)) == 300.0 + MITIGATIONS[action].delay_s


RESTORE = {
    "runbook": [{"name": "provision-host", "target": "db", "takes": "40m"}],
    "actions": [
        {
            "action": "restore-backup",
            "target": "db",
            "takes": "6h",
            "requires": [{"step": "provision-host"}],
            "says": "no host to restore onto: run-step provision-host on db first",
        }
    ],
}


def test_a_restore_is_refused_with_the_rules_sentence_until_its_runbook_step_is_done() -> None:
    sim = sim_with(RESTORE)
    with pytest.raises(MitigationError, match="no host to restore onto: run-step provision-host"):
        sim.mitigate(spec("restore-backup", "db"))
    done = sim.mitigate(spec("run-step", "db", step="provision-host"))
    assert done == 300.0 + 2400.0
    # asked for but not done yet: still refused
    with pytest.raises(MitigationError):
        sim.mitigate(spec("restore-backup", "db"))
    sim.run_until(done + sim.dt)
    assert sim.mitigate(spec("restore-backup", "db")) == sim.now + 6 * 3600.0


def test_a_runbook_step_that_does_not_exist_is_refused_with_the_steps_there_are() -> None:
    sim = sim_with(RESTORE)
    with pytest.raises(MitigationError, match=r"no step 'provision' for db \(its steps: "):
        sim.mitigate(spec("run-step", "db", step="provision"))
    with pytest.raises(MitigationError, match="the runbook has no step for 'api'"):
        sim.mitigate(spec("run-step", "api", step="provision-host"))


def test_without_the_rules_words_the_sentence_says_what_is_missing() -> None:
    rules = {"actions": [{"action": "restart", "target": "api", "requires": [{"up": "db"}]}]}
    sim = sim_with(rules, faults=[{"kind": "database-crash", "target": "db", "at": 60.0}])
    with pytest.raises(MitigationError, match="restart api needs db up"):
        sim.mitigate(spec("restart", "api"))


def test_a_restart_in_dependency_order_is_allowed_once_the_dependency_is_up() -> None:
    rules = {"actions": [{"action": "restart", "target": "api", "requires": [{"up": "db"}]}]}
    sim = sim_with(rules)
    assert sim.mitigate(spec("restart", "api")) > sim.now  # db is up: no refusal


def test_a_failing_rule_lets_the_action_take_its_time_and_then_do_nothing() -> None:
    rules = {
        "actions": [
            {
                "action": "restart",
                "target": "api",
                "takes": "2m",
                "requires": [{"done": {"action": "run-step", "target": "api"}}],
                "without": "fail",
                "says": "the host does not come back without out-of-band access",
            }
        ],
        "runbook": [{"name": "open-console", "target": "api", "takes": "5m"}],
    }
    sim = sim_with(rules)
    at = sim.mitigate(spec("restart", "api"))
    sim.run_until(at + 2 * sim.dt)
    api = sim.world.index["api"]
    assert sim.state.restarts[api] == 0  # nothing was recycled
    failed = [e.message for e in sim.events if e.kind == "mitigation"]
    assert "restart failed: the host does not come back without out-of-band access" in failed
    # with the console open, the same restart recycles every replica
    opened = sim.mitigate(spec("run-step", "api", step="open-console"))
    sim.run_until(opened + sim.dt)
    at = sim.mitigate(spec("restart", "api"))
    sim.run_until(at + 2 * sim.dt)
    assert any(e.message.startswith("restart: 3 replicas recycled") for e in sim.events)


def test_a_harmful_rule_acts_and_adds_its_stated_harm_for_its_time() -> None:
    rules = {
        "actions": [
            {
                "action": "flush-cache",
                "target": "cache",
                "requires": [{"when": {"component": "db", "metric": "utilisation", "below": 0.0}}],
                "without": "harm",
                "harm": {"errors": 0.5, "for": "5m", "on": "api"},
                "says": "flushing under load knocks the API over",
            }
        ]
    }
    sim = sim_with(rules)
    api = sim.world.index["api"]
    at = sim.mitigate(spec("flush-cache", "cache"))
    sim.run_until(at + 3 * sim.dt)
    assert sim.history.comp["cache_hit"][sim.history.ticks - 1, sim.world.index["cache"]] < 0.5
    during = float(sim.history.comp["errors"][sim.history.ticks - 1, api])
    assert during >= 0.5
    sim.run_until(at + 600.0)
    after = float(sim.history.comp["errors"][sim.history.ticks - 1, api])
    assert after < 0.2  # the harm lasted its five minutes
    said = [e.message for e in sim.events if "done without" in e.message]
    assert said
    assert "flushing under load knocks the API over" in said[0]
    assert "50% of requests fail for 5m" in said[0]


def test_a_restore_ends_a_lost_database_and_restarts_its_replicas() -> None:
    sim = sim_with(RESTORE, faults=[{"kind": "database-crash", "target": "db", "at": 60.0}])
    db = sim.world.index["db"]
    assert sim.history.comp["errors"][sim.history.ticks - 1, db] > 0.99
    sim.state.resets.pop(("restore", db), None)
    sim.pending.clear()
    step = sim.mitigate(spec("run-step", "db", step="provision-host"))
    sim.run_until(step + sim.dt)
    at = sim.mitigate(spec("restore-backup", "db"))
    sim.run_until(at - 60.0)
    assert sim.history.comp["errors"][sim.history.ticks - 1, db] > 0.99  # six hours of copying
    sim.run_until(at + 600.0)
    assert sim.history.comp["errors"][sim.history.ticks - 1, db] < 0.01
    assert any("restored from the latest backup" in e.message for e in sim.events)
