"""Requests a quota refuses show as what they are: 429 Too Many Requests, in the callers' logs
and in traces, never as a server error (500) or a deadline exceeded."""

from __future__ import annotations

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.query import run
from tests.engine.test_physics_defects import behind_quota


@pytest.fixture(scope="module")
def limited() -> Simulator:
    return behind_quota()


def matched(sim: Simulator, query: str) -> int:
    out, _ = run(sim, query)
    return int(out["matched"])


def test_the_caller_logs_each_refused_call_as_a_429(limited: Simulator) -> None:
    """Documented behaviour (RFC 6585): a rate limit answers 429 Too Many Requests. The api
    calls ext once per request with no retries, so it logs one 429 per refused call: about
    (arrivals - quota) x 60 lines a minute, and no 500 or timeout about ext."""
    sim = limited
    ext = sim.world.index["ext"]
    edge = sim.world.edge_index[("api", "ext")]
    h = sim.history
    refused = (
        sum(float(h.edge["rate"][t, edge]) - 10.0 for t in range(h.ticks - 6, h.ticks)) * sim.dt
    )
    assert refused > 1000.0
    assert sim.refusals.at(h.ticks - 1, ext) > 0.5
    lines = matched(
        sim, '{service="api"} |= "ext: unexpected status 429 Too Many Requests" --since=60s'
    )
    assert lines == pytest.approx(refused, rel=0.02)
    assert matched(sim, '{service="api"} |= "ext: unexpected status 500" --since=60s') == 0
    assert matched(sim, '{service="api"} |= "deadline exceeded" --since=60s') == 0


def test_traces_show_the_refused_call_as_a_429(limited: Simulator) -> None:
    out, _ = run(limited, "traces service=api status=error --since=60s --limit=20")
    firsts = [t["first_error"] for t in out["traces"]]
    assert firsts
    assert all(f == "api -> ext: 429 Too Many Requests (quota exceeded)" for f in firsts)
