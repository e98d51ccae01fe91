"""Authored timeline evidence, and the author and text of the change a fault brings."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from chaosgame.engine.evidence import table_of
from chaosgame.engine.sim import Simulator
from chaosgame.scenario import library
from chaosgame.telemetry.query import run
from tests.conftest import make_scenario

AUDIT = {
    "id": "drain",
    "at": -7200.0,
    "author": "kim",
    "command": "fleetctl remove --match 'api*'",
    "asked": "remove 2 idle api servers",
    "matched": "api-1 .. api-40 (40 servers)",
    "outcome": "40 servers removed from the pool",
    "component": "api",
    "note": "the glob was wider than the two servers meant",
}
MAIL = {
    "at": -3 * 86400.0,
    "sender": "certbot",
    "to": "ops-team",
    "subject": "TLS certificate of api expires in 3 days",
    "state": "unread",
}
JOB = {"at": 600.0, "name": "nightly-vacuum", "status": "failed", "duration": 300.0}


def _evidence(**more: Any) -> dict[str, Any]:
    return {"audit": [AUDIT], "notifications": [MAIL], "jobs": [JOB], **more}


def test_audit_entries_jobs_and_notifications_are_in_the_timeline_with_their_fields() -> None:
    sim = Simulator(make_scenario(evidence=_evidence()))
    before = {e.kind: e for e in sim.events}
    assert set(before) == {"audit", "notification"}  # the job at 10m has not happened yet
    audit = before["audit"]
    assert audit.time == -7200.0
    assert audit.actor == "kim"
    assert audit.component == "api"
    details = dict(audit.details)
    assert details["command"] == "fleetctl remove --match 'api*'"
    assert details["matched"] == "api-1 .. api-40 (40 servers)"
    assert details["outcome"] == "40 servers removed from the pool"
    assert "asked: remove 2 idle api servers" in audit.message
    assert "the glob was wider" not in str(audit)  # the debrief-only note stays out
    sim.run_until(900.0)
    job = next(e for e in sim.events if e.kind == "job")
    assert job.time == 600.0
    assert job.message == "job nightly-vacuum failed after 5m"
    assert dict(job.details)["status"] == "failed"


def test_events_queries_find_and_filter_the_operator_evidence() -> None:
    sim = Simulator(make_scenario(evidence=_evidence()))
    sim.run_until(1200.0)

    def kinds(q: str) -> list[str]:
        res, _ = run(sim, q)
        return [e["kind"] for e in res["events"]]

    assert kinds("events --since=7d") == ["notification", "audit", "job"]
    assert kinds("events") == ["job"]  # the default hour
    assert kinds("changes") == ["audit", "job"]  # commands and jobs are changes; mail is not
    assert kinds("events author=kim --since=7d") == ["audit"]
    assert kinds('events |= "--match" --since=7d') == ["audit"]
    assert kinds('events kind=audit,notification !~ "rem[o]ve" --since=7d') == ["notification"]
    assert kinds("events status=failed --since=7d") == ["job"]
    assert kinds("events status=unread channel=email --since=7d") == ["notification"]
    res, _ = run(sim, "events kind=audit --since=7d")
    row = res["events"][0]
    assert row["reason"] == "OperatorCommand"
    assert row["actor"] == "kim"
    assert row["details"]["matched"] == "api-1 .. api-40 (40 servers)"
    with pytest.raises(ValueError, match="text filter"):
        run(sim, "events |= remove")
    with pytest.raises(ValueError, match="author"):
        run(sim, "events auther=kim")


def test_a_fault_change_takes_the_scenarios_author_and_text() -> None:
    plain = {"kind": "bad-config", "target": "api", "at": 300.0, "key": "pool.mode", "value": "x"}
    sim = Simulator(make_scenario(faults=[plain]))
    sim.run_until(400.0)
    (ev,) = [e for e in sim.events if e.kind == "config"]
    assert (ev.actor, ev.message) == ("config-push", "pool.mode=x by config-push")  # as before

    authored = {**plain, "change": {"author": "ana", "command": "cfgctl set pool.mode=x --all"}}
    sim = Simulator(make_scenario(faults=[authored]))
    sim.run_until(400.0)
    config = [e for e in sim.events if e.kind == "config"]
    audit = [e for e in sim.events if e.kind == "audit"]
    assert [(e.actor, e.message) for e in config] == [("ana", "pool.mode=x by ana")]
    assert [e.kind for e in sim.events if e.kind in ("audit", "config")] == ["audit", "config"]
    assert audit[0].actor == "ana"
    assert "cfgctl set pool.mode=x --all" in audit[0].message

    texted = {**plain, "change": {"author": "ana", "text": "rolled out pool mode x to api"}}
    sim = Simulator(make_scenario(faults=[texted]))
    sim.run_until(400.0)
    assert [(e.actor, e.message) for e in sim.events if e.kind == "config"] == [
        ("ana", "rolled out pool mode x to api")
    ]
    assert not [e for e in sim.events if e.kind == "audit"]


def test_a_fault_that_shows_no_change_of_its_own_shows_the_operators_command() -> None:
    fault = {
        "kind": "dependency-outage",
        "target": "db",
        "at": 300.0,
        "change": {
            "author": "kim",
            "command": "dbctl failover --force",
            "matched": "every replica",
            "outcome": "primary demoted",
        },
    }
    sim = Simulator(make_scenario(faults=[fault]))
    sim.run_until(290.0)
    assert not [e for e in sim.events if e.kind == "audit"]
    sim.run_until(400.0)
    (ev,) = [e for e in sim.events if e.kind == "audit"]
    assert ev.time == 300.0
    assert ev.component == "db"
    assert ev.actor == "kim"
    assert ev.message == (
        "kim ran: dbctl failover --force | matched: every replica | done: primary demoted"
    )


def test_migration_texts_name_the_scenarios_table() -> None:
    sc = library.load("order-history-hangs")
    sim = Simulator(sc)
    sim.run_until(1500.0)
    (ev,) = [e for e in sim.events if e.kind == "migration"]
    assert ev.message == "migration started: ALTER TABLE orders ..."  # unchanged for orders-db

    def table(name: str, tags: dict[str, str] | None = None) -> str:
        comps = [
            {"name": "gw", "kind": "gateway"},
            {"name": "api", "kind": "service"},
            {"name": name, "kind": "database", "tags": tags or {}},
        ]
        deps = [{"from": "gw", "to": "api"}, {"from": "api", "to": name}]
        sim = Simulator(make_scenario(components=comps, dependencies=deps))
        return table_of(sim, 2)

    assert table("ledger-db") == "ledger"
    assert table("user-accounts-primary") == "user_accounts"
    assert table("ledger-db", {"table": "journal_entries"}) == "journal_entries"
    fault = {"kind": "migration-lock", "target": "db", "at": 300.0}
    sim = Simulator(make_scenario(faults=[fault]))
    sim.run_until(400.0)
    assert [e.message for e in sim.events if e.kind == "migration"] == [
        "migration started: ALTER TABLE db ..."
    ]


def test_evidence_is_evidence_only() -> None:
    """The same scenario with and without its written evidence simulates the same numbers."""
    fault = {"kind": "bad-config", "target": "api", "at": 300.0}
    logs = [
        {"component": "api", "text": "x {n}", "values": {"n": {"low": 1, "high": 3}}, "rate": 5}
    ]
    metrics = [{"name": "orders_per_minute", "component": "api", "journey": "shop"}]
    a = Simulator(make_scenario(faults=[fault]))
    b = Simulator(
        make_scenario(
            faults=[{**fault, "change": {"author": "z", "command": "c"}}],
            evidence=_evidence(logs=logs, metrics=metrics),
        )
    )
    a.run_until(1200.0)
    b.run_until(1200.0)
    assert a.history.digest() == b.history.digest()


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ({"audit": [{**AUDIT, "component": "apii"}]}, "unknown component 'apii'"),
        ({"jobs": [{**JOB, "at": 99999.0}]}, "after the end of the window"),
        (
            {"logs": [{"component": "api", "text": "refund {id} failed", "rate": 1}]},
            "has no entry under values",
        ),
        (
            {
                "logs": [
                    {"component": "api", "text": "x", "when": {"fault": "disk-full"}, "rate": 1}
                ]
            },
            "no 'disk-full' fault on 'api'",
        ),
        ({"logs": [{"component": "api", "text": "x"}]}, "needs a rate"),
        ({"metrics": [{"name": "up", "component": "api", "journey": "shop"}]}, "built-in metric"),
        ({"metrics": [{"name": "m", "component": "api"}]}, "takes one of"),
        (
            {"metrics": [{"name": "m", "component": "api", "journey": "shp"}]},
            "unknown journey 'shp'",
        ),
    ],
)
def test_bad_evidence_is_refused_with_where_and_what(
    evidence: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_scenario(evidence=evidence)


def test_the_reserved_metric_names_are_the_catalogues() -> None:
    from chaosgame.scenario.evidence import BUILT_IN_METRICS
    from chaosgame.telemetry.metrics import CATALOGUE

    assert set(CATALOGUE) == BUILT_IN_METRICS


def test_history_events_carry_their_authors_so_author_filters_find_them() -> None:
    sc = make_scenario(
        deploys=[
            {"at": -3600.0, "component": "api", "version": "v2", "author": "ravi"},
            {"at": 300.0, "component": "api", "version": "v3", "author": "nadia"},
        ],
        configs=[
            {"at": -60.0, "component": "db", "key": "work_mem", "value": "64MB", "author": "dba"}
        ],
        flags=[
            {
                "name": "beta",
                "components": ["api"],
                "changes": [{"at": 120.0, "on": True, "author": "pm"}],
            }
        ],
    )
    sim = Simulator(sc)
    sim.run_until(600.0)
    got = {(e.kind, e.actor) for e in sim.events}
    assert got >= {("deploy", "ravi"), ("deploy", "nadia"), ("config", "dba"), ("flag", "pm")}
    res, _ = run(sim, "changes author=nadia")
    assert [e["message"] for e in res["events"]] == ["v3 (rolling) by nadia"]


def test_a_change_can_file_its_command_under_another_component() -> None:
    change = {"author": "kim", "command": "hostctl decommission --match 'db*'", "component": "api"}
    fault = {"kind": "dependency-outage", "target": "db", "at": 300.0, "change": change}
    sim = Simulator(make_scenario(faults=[fault]))
    sim.run_until(400.0)
    assert [e.component for e in sim.events if e.kind == "audit"] == ["api"]
    with pytest.raises(
        ValidationError, match=r"faults\[0\]\.change\.component: unknown component .ap."
    ):
        make_scenario(faults=[{**fault, "change": {**change, "component": "ap"}}])
