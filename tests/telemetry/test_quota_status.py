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


def _rate(sim: Simulator, query: str) -> float:
    out, _ = run(sim, query)
    return sum(float(s["points"][-1][1]) for s in out["series"])


def test_the_limited_component_counts_its_refusals_as_429s(limited: Simulator) -> None:
    """ext serves its quota of 10 requests/s and answers the rest 429, none 500: of every
    request it counts, 10/s are 200s and the others 429s."""
    q = 'rate(http_requests_total{service="ext",code="%s"}[1m])'
    every = _rate(limited, 'rate(http_requests_total{service="ext"}[1m])')
    assert every > 30.0
    assert _rate(limited, q % "200") == pytest.approx(10.0, rel=1e-3)
    assert _rate(limited, q % "429") == pytest.approx(every - 10.0, rel=1e-3)
    assert _rate(limited, q % "500") == pytest.approx(0.0, abs=0.01)
