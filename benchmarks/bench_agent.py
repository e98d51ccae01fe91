"""The agent protocol's own cost per request, beyond the work the request asks for.

    python benchmarks/bench_agent.py [--repeat N] [SCENARIO ...]

For each scenario (a few curated ones by default) a transcript of requests is played through
``AgentSession.handle_line``: parse the JSON line, check the request, play it through the
player view, write the answer as one line of JSON. The time spent inside the player view (the
world up to the page, queries, simulation: the work the requests ask for) is measured and
taken away; what is left, per request, is the protocol's own cost (target: under 1 ms). Each
figure is the median over ``--repeat`` plays.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from chaosgame.game.agent_session import AgentSession
from chaosgame.game.player import PlayerView
from chaosgame.scenario.library import load

SCENARIOS = (
    "checkout-payment-step-failing",
    "listings-cache-stampede",
    "profiles-backfill-replica-lag",
)
WORK = ("start", "act", "observe", "briefing")
"""The player view's methods: the game's work."""


def transcript(names: list[str]) -> list[dict[str, Any]]:
    """Requests a responder sends: looks, queries, a mitigation, waits, a diagnosis."""
    first, last = names[0], names[-1]
    return [
        {"op": "observe"},
        {"op": "query", "view": "map"},
        {"op": "query", "view": "slo"},
        {"op": "query", "q": 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))'},
        {"op": "query", "q": "traces status=error --since=10m --limit=5"},
        {"op": "query", "view": "deploys", "window": "6h"},
        {"op": "query", "view": "metric", "component": first, "metric": "errors"},
        {"op": "query", "view": "events", "window": "1h"},
        {"op": "observe"},
        {"op": "mitigate", "action": "restart", "target": last},
        {"op": "wait", "seconds": 30},
        {"op": "wait", "seconds": 30},
        {"op": "query", "view": "slo"},
        {"op": "observe"},
        {"op": "declare", "component": first, "kind": "bad-deploy", "confidence": 0.4},
        {"op": "catalog"},
        {"op": "end"},
    ]


def overhead(scenario: Any, requests: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds of one play through the protocol, and the part of it spent in the player
    view (the work the requests ask for); the rest is the protocol's own."""
    inside = [0.0]
    saved = {name: getattr(PlayerView, name) for name in WORK}

    def timed(fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                inside[0] += time.perf_counter() - t0

        return run

    session = AgentSession(scenario)
    lines = [json.dumps({"id": i, **r}) for i, r in enumerate(requests)]
    for name, fn in saved.items():
        setattr(PlayerView, name, timed(fn))
    try:
        t0 = time.perf_counter()
        for line in lines[:-1]:  # the end's scoring and debrief are work too: left out
            session.handle_line(line)
        total = time.perf_counter() - t0
    finally:
        for name, fn in saved.items():
            setattr(PlayerView, name, fn)
    return total, inside[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    worst = 0.0
    for name in args.scenarios:
        sc = load(name)
        requests = transcript([c.name for c in sc.components if c.kind != "external"])
        runs = [overhead(sc, requests) for _ in range(args.repeat)]
        count = len(requests) - 1
        total = statistics.median(t for t, _ in runs)
        own = statistics.median((t - w) / count for t, w in runs)
        worst = max(worst, own)
        print(
            f"{name:34s} {count} requests in {total:.3f} s; the protocol's own part "
            f"{own * 1000:.3f} ms per request"
        )
    print(f"protocol overhead per request: worst {worst * 1000:.3f} ms (target < 1 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
