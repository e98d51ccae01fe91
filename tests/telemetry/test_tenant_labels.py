"""Tenant labels: per-tenant series, log lines and spans equal the simulation's per-class
numbers; without them (or without tenants) telemetry is what it always was."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry.metrics import select
from chaosgame.telemetry.promql import Matcher
from chaosgame.telemetry.query import run
from tests.conftest import make_scenario

TENANTS = [{"name": "acme", "share": 0.3}, {"name": "smallco", "share": 0.7}]
FAULT = {"kind": "bad-deploy", "target": "api", "at": 600.0, "version": "v2", "error_rate": 0.6}


def _scenario(labels: bool = True, tenants: list[dict[str, Any]] | None = None) -> Scenario:
    sc = make_scenario(
        tenants=TENANTS if tenants is None else tenants,
        deploys=[{"at": 600.0, "component": "api", "version": "v2", "duration": 10.0}],
        faults=[{**FAULT, "tenants": ["acme"]}] if tenants is None else [FAULT],
    )
    if labels:
        comps = [
            c.model_copy(
                update={"telemetry": c.telemetry.model_copy(update={"tenant_labels": True})}
            )
            for c in sc.components
        ]
        sc = sc.model_copy(update={"components": comps})
    return sc


def _sim(sc: Scenario, until: float = 1500.0) -> Simulator:
    sim = Simulator(sc)
    sim.run_until(until)
    return sim


def _rates(sim: Simulator, code: str) -> dict[str, np.ndarray]:
    """Per tenant: the true per-tick rate of ``code`` responses at api (summed over series)."""
    hi = sim.history.ticks
    fr = select(
        sim, "http_requests_total", [Matcher("service", "=", "api"), Matcher("code", "=", code)], hi
    )
    values = fr.read(np.arange(hi, dtype=np.int64), False)
    out: dict[str, np.ndarray] = {}
    for s, labels in enumerate(fr.labels.dicts()):
        t = labels["tenant"]
        out[t] = out.get(t, np.zeros(hi)) + values[s]
    return out


def test_tenant_label_sums_equal_the_per_class_numbers() -> None:
    sim = _sim(_scenario())
    w, h = sim.world, sim.history
    api = w.index["api"]
    bad, good = _rates(sim, "500"), _rates(sim, "200")
    assert set(bad) == {"acme", "smallco"}
    for t, name in enumerate(w.tenants):
        ks = np.flatnonzero(w.class_tenant == t)
        offered = h.cls["offered"][: h.ticks, ks, api].astype(np.float64)
        errors = np.clip(h.cls["errors"][: h.ticks, ks, api].astype(np.float64), 0, 1)
        np.testing.assert_allclose(bad[name], (offered * errors).sum(1), rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(bad[name] + good[name], offered.sum(1), rtol=1e-5, atol=1e-9)
    late = slice(100, None)
    assert bad["acme"][late].mean() > 5 * bad["smallco"][late].mean()


def test_sum_by_tenant_finds_the_hurt_customer() -> None:
    sim = _sim(_scenario())
    got, _ = run(sim, 'sum by (tenant) (rate(http_requests_total{code="500"}[5m]))')
    now = {s["labels"]["tenant"]: s["points"][-1][1] for s in got["series"]}
    assert now["acme"] > 10 * max(now["smallco"], 1e-9)


def test_access_logs_and_spans_carry_the_tenant() -> None:
    sim = _sim(_scenario())
    logs, _ = run(sim, 'logs {service="api", tenant="acme", level="error"} --since=5m')
    assert logs["matched"] > 0
    assert all("tenant=acme" in ln["line"] for ln in logs["lines"])
    other, _ = run(sim, 'logs {service="api", tenant="smallco", level="error"} --since=5m')
    assert other["matched"] < logs["matched"] / 5
    traces, _ = run(sim, "traces status=error tenant=acme --since=5m --limit=5")
    assert traces["traces"]
    assert all(t["tenant"] == "acme" for t in traces["traces"])
    one, _ = run(sim, f"trace {traces['traces'][0]['trace_id']}")
    assert {s.get("tenant") for s in one["spans"] if s["kind"] == "server"} == {"acme"}


def test_failed_traces_come_from_the_failing_tenant() -> None:
    sim = _sim(_scenario())
    traces, _ = run(sim, "traces status=error --since=5m --limit=40")
    tenants = [t["tenant"] for t in traces["traces"]]
    assert tenants.count("acme") >= 0.8 * len(tenants)


QUERIES = (
    "rate(http_requests_total[5m])",
    "http_request_duration_seconds",
    'logs {service="api"} --limit=30',
    "traces --limit=10",
)


@pytest.mark.parametrize(
    "sc",
    [
        _scenario(labels=False),
        _scenario(labels=True, tenants=[{"name": "all", "share": 1.0}]),
    ],
    ids=["tenants-without-labels", "labels-without-tenants"],
)
def test_without_tenant_labels_nothing_says_tenant(sc: Scenario) -> None:
    sim = _sim(sc)
    for q in QUERIES:
        got, _ = run(sim, q)
        assert "tenant" not in str(got), q


def test_untenanted_telemetry_is_the_same_with_labels_asked_for() -> None:
    """With a single tenant, tenant_labels changes nothing at all."""
    plain = _sim(_scenario(labels=False, tenants=[{"name": "all", "share": 1.0}]))
    asked = _sim(_scenario(labels=True, tenants=[{"name": "all", "share": 1.0}]))
    for q in QUERIES:
        a, _ = run(plain, q)
        b, _ = run(asked, q)
        assert a == b, q
