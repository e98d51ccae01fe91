"""Authored noise: each kind shows in telemetry, respects the gaps, and never changes the
simulation; ``check`` proves a noise red herring visible and harmless."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.loader import ScenarioError, load_scenario_text
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry.query import run
from tests.conftest import make_scenario

NOISE: dict[str, Any] = {
    "alerts": [
        {
            "name": "DiskLatencyHigh",
            "component": "db",
            "summary": "db disk latency over 20ms",
            "period": 600.0,
            "duty": 0.3,
        }
    ],
    "logs": [
        {
            "id": "sdk-refresh",
            "component": "api",
            "message": "feature cache refresh failed: connection reset (will retry)",
            "every": 20.0,
        }
    ],
    "slow_queries": [
        {
            "id": "nightly-report",
            "component": "db",
            "statement": "SELECT region, sum(total) FROM invoices_archive GROUP BY region",
            "duration": 3.2,
            "every": 60.0,
        }
    ],
    "metrics": [
        {
            "name": "jvm_old_gen_used_ratio",
            "component": "api",
            "help": "old generation heap in use",
            "value": 0.93,
            "wobble": 0.01,
        }
    ],
}


def _noisy(**telemetry: Any) -> Scenario:
    sc = make_scenario(noise=NOISE)
    if telemetry:
        comps = [
            c.model_copy(update={"telemetry": c.telemetry.model_copy(update=telemetry)})
            for c in sc.components
        ]
        sc = sc.model_copy(update={"components": comps})
    return sc


def _sim(sc: Scenario, until: float = 3000.0) -> Simulator:
    sim = Simulator(sc)
    sim.run_until(until)
    return sim


def test_noise_never_changes_the_simulation() -> None:
    quiet = make_scenario()
    noisy = _noisy()
    a, b = _sim(quiet), _sim(noisy)
    run(b, "alerts")
    run(b, 'logs {service="api"}')
    assert a.history.digest() == b.history.digest()
    assert [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]


def test_a_noise_alert_flaps() -> None:
    result, _ = run(_sim(_noisy()), "alerts --since=1h")
    mine = [a for a in result["firing"] + result["resolved"] if a["name"] == "DiskLatencyHigh"]
    assert len(mine) >= 4  # fires and resolves every ten minutes
    assert all(a["labels"] == {"service": "db"} for a in mine)
    assert mine[0]["summary"] == "db disk latency over 20ms"


def test_noise_log_lines_and_the_slow_query_are_in_the_logs() -> None:
    sim = _sim(_noisy())
    got, _ = run(sim, 'logs {service="api"} |= "feature cache refresh failed" --since=10m')
    assert 20 <= got["matched"] <= 40  # about one line per 20 s
    slow, _ = run(sim, 'logs {service="db"} |= "invoices_archive" --since=10m')
    assert 5 <= slow["matched"] <= 15  # about one a minute
    assert "duration: 3200.000 ms" in slow["lines"][0]["line"]


def test_a_noise_metric_is_a_gauge_near_its_level() -> None:
    sim = _sim(_noisy())
    got, _ = run(sim, "jvm_old_gen_used_ratio")
    (series,) = got["series"]
    assert series["labels"]["service"] == "api"
    values = [v for _, v in series["points"]]
    assert values
    assert all(0.92 <= v <= 0.94 for v in values)
    listed, _ = run(sim, "metrics")
    assert "jvm_old_gen_used_ratio" in [m["name"] for m in listed["metrics"]]


def test_noise_respects_the_gaps() -> None:
    sim = _sim(_noisy(metrics=False, logs=False))
    alerts, _ = run(sim, "alerts --since=1h")
    assert not [a for a in alerts["firing"] + alerts["resolved"] if a["name"] == "DiskLatencyHigh"]
    got, _ = run(sim, "jvm_old_gen_used_ratio")
    assert got["series"] == []
    logs, _ = run(sim, 'logs {service="api"} |= "feature cache" --since=10m')
    assert logs["matched"] == 0


def test_noise_must_name_real_components() -> None:
    bad = {**NOISE, "slow_queries": [{**NOISE["slow_queries"][0], "component": "api"}]}
    with pytest.raises(ValueError, match="not a database"):
        make_scenario(noise=bad)
    with pytest.raises(ValueError, match="unknown component 'apj'"):
        make_scenario(noise={"logs": [{**NOISE["logs"][0], "component": "apj"}]})


# ----------------------------------------------------------------------- the checker
HURT: dict[str, Any] = {
    "faults": [{"kind": "bad-deploy", "target": "api", "at": 600.0, "version": "v2"}],
    "deploys": [{"at": 600.0, "component": "api", "version": "v2", "duration": 60.0}],
    "page_at": 900.0,
}


def _checked(herrings: list[str], **telemetry: Any) -> dict[str, Any]:
    sc = make_scenario(
        noise=NOISE,
        **HURT,
        truth={
            "root_cause": {"component": "api", "kind": "bad-deploy"},
            "red_herrings": [{"ref": r, "why": "always there"} for r in herrings],
            "reference_solution": [{"action": "rollback", "target": "api"}],
        },
    )
    if telemetry:
        comps = [
            c.model_copy(update={"telemetry": c.telemetry.model_copy(update=telemetry)})
            for c in sc.components
        ]
        sc = sc.model_copy(update={"components": comps})
    return {c.name: c for c in check_scenario(sc)}


def test_check_proves_noise_red_herrings_real_and_harmless() -> None:
    refs = [
        "alert:DiskLatencyHigh",
        "log:sdk-refresh",
        "slow-query:nightly-report",
        "metric:jvm_old_gen_used_ratio",
    ]
    v = _checked(refs)["red-herrings"]
    assert v.ok, v.reason
    for ref in refs:
        assert f"noise {ref} is real and harmless" in v.reason


def test_check_fails_a_noise_red_herring_the_player_cannot_see() -> None:
    v = _checked(["alert:DiskLatencyHigh", "log:sdk-refresh"], metrics=False)["red-herrings"]
    assert not v.ok
    assert "exports no metrics" in v.reason


def test_check_fails_a_noise_reference_that_names_nothing() -> None:
    from chaosgame.game import players
    from chaosgame.proof.checker import _check_herrings, _play
    from chaosgame.scenario.model import RedHerring

    sc = make_scenario(
        noise=NOISE,
        **HURT,
        truth={
            "root_cause": {"component": "api", "kind": "bad-deploy"},
            "reference_solution": [{"action": "rollback", "target": "api"}],
        },
    )
    truth = sc.truth.model_copy(update={"red_herrings": [RedHerring(ref="alert:DiskLatency")]})
    sc = sc.model_copy(update={"truth": truth})  # past the loader, as a program might build it
    played = _play(sc, sc.seed, players.idle_actions(sc), 0.0)
    v = _check_herrings(sc, sc.seed, played, sc.onset)
    assert not v.ok
    assert "names no authored noise" in v.reason
    assert "alert:DiskLatencyHigh" in v.reason


def test_the_loader_names_a_mistyped_noise_reference() -> None:
    from chaosgame.scenario.library import find

    text = find("checkout-payment-step-failing").read_text(encoding="utf-8")
    text = text.replace(
        "truth:",
        "noise:\n  logs:\n    - {id: sdk-refresh, component: checkout, message: boom}\ntruth:",
        1,
    ).replace("{ref: catalog-v5.1.0,", "{ref: log:sdk-refesh,")
    with pytest.raises(ScenarioError, match="did you mean 'log:sdk-refresh'"):
        load_scenario_text(text)
