"""The views a session offers before the query language: map, metric, events, SLOs, changes.

Every view reads the simulation's history and events as any monitoring system would, through
telemetry, so every observability gap applies (an uninstrumented component shows no numbers,
a dark metrics store shows nothing); none of them reads the scenario's faults or truth. Each view costs simulated time (``COSTS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.scenario.costs import VIEW_COSTS
from chaosgame.telemetry.listings import service_map
from chaosgame.telemetry.slos import observed

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.game.actions import Query
    from chaosgame.scenario.evidence import CustomMetric

COSTS = VIEW_COSTS
"""Simulated seconds each view takes to open and read (``chaosgame.scenario.costs``)."""

METRICS = {
    "rps": "requests per second arriving (retries included)",
    "errors": "share of requests that failed",
    "latency_p50": "median latency, seconds",
    "latency_p95": "95th percentile latency, seconds",
    "latency_p99": "99th percentile latency, seconds",
    "utilisation": "busy share of capacity",
    "cpu": "CPU used per replica as a share of its limit",
    "memory": "resident memory per replica, MB",
    "replicas": "ready replicas",
    "connections": "connections held open to this component",
    "backlog": "messages or requests waiting",
    "consumer_lag": "seconds of backlog at the current drain rate",
    "replication_lag": "seconds a replica is behind its primary",
    "disk": "disk used, GB",
    "cache_hit": "cache hit ratio",
    "restarts": "container restarts so far",
}


def _component(sim: Simulator, name: str | None) -> int:
    if name is None:
        raise ValueError("this view needs a component")
    if name not in sim.world.index:
        from chaosgame.scenario.model import _suggest

        raise ValueError(f"unknown component '{name}'{_suggest(name, sim.world.names)}")
    return sim.world.index[name]


def metric_series(sim: Simulator, i: int, metric: str, lo: int, hi: int) -> np.ndarray:
    """Values of ``metric`` for component ``i`` over ticks ``[lo, hi)``."""
    own = own_metrics(sim, i)
    if metric in own:
        from chaosgame.telemetry.authored import metric_values

        return metric_values(sim, own[metric], hi)[lo:hi]
    c = sim.history.comp
    if metric.startswith("latency_p"):
        q = int(metric.removeprefix("latency_p")) / 100.0
        mean = c["latency"][lo:hi, i].astype(np.float64)
        floor = c["floor"][lo:hi, i].astype(np.float64)
        return ph.percentile(q, mean, floor)
    key = {"rps": "offered", "latency_avg": "latency"}.get(metric, metric)
    return c[key][lo:hi, i].astype(np.float64)


def own_metrics(sim: Simulator, i: int) -> dict[str, CustomMetric]:
    """The scenario's own metrics that component ``i`` exports, by name (its dashboards
    chart them like the built-in ones)."""
    name = sim.world.names[i]
    return {m.name: m for m in sim.scenario.evidence.metrics if m.component == name}


def _scraped(sim: Simulator, i: int, metric: str, lo: int, hi: int) -> tuple[np.ndarray, str, str]:
    """Which ticks of ``[lo, hi)`` a dashboard has for component ``i``, as its telemetry
    allows (scrape interval, retention, missed scrapes, the metrics store being down); the
    metric it can show for the one asked (the mean where dashboards keep averages only); and
    a note when that is not what was asked, or nothing was sampled."""
    from chaosgame.telemetry import gaps

    name = sim.world.names[i]
    if not gaps.has(sim, i, "metrics"):
        return np.zeros(hi - lo, dtype=np.bool_), metric, f"{name} exports no metrics"
    ticks = np.arange(lo, hi)
    seen = (ticks % gaps.scrape_step(sim, i) == 0) & (ticks >= gaps.first_kept(sim, i, sim.now))
    seen &= ~gaps.dark(sim, "metrics", lo, hi) & ~gaps.missed_scrapes(sim, lo, hi)[:, i]
    shown, note = metric, ""
    if metric.startswith("latency_p") and gaps.settings(sim, i).dashboard_averages_only:
        shown = "latency_avg"
        note = f"{name}'s dashboards show averages only: this is the mean, the tail is hidden"
    if not seen.any():
        note = note or f"no samples of {name} in that window"
    return seen, shown, note


def run_view(sim: Simulator, q: Query) -> tuple[Any, float]:
    """Answer a query; return (result, simulated seconds it cost)."""
    tick = sim.history.ticks - 1
    w = sim.world
    assert q.view is not None, "query-language queries go to chaosgame.telemetry.query.run"
    if q.view == "map":
        return service_map(sim, tick), COSTS["map"]
    if q.view == "metric":
        i = _component(sim, q.component)
        metric = q.metric or "errors"
        own = own_metrics(sim, i)
        if metric not in METRICS and metric not in own:
            import difflib

            known = [*METRICS, *own]
            close = difflib.get_close_matches(metric, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
            raise ValueError(f"unknown metric '{metric}'; {hint}")
        span = max(1, int(q.window / sim.dt))
        lo = max(0, tick + 1 - span)
        seen, shown, note = _scraped(sim, i, metric, lo, tick + 1)
        values = metric_series(sim, i, shown, lo, tick + 1)
        points = [
            [round((lo + n) * sim.dt, 1), round(float(v), 6)]
            for n, v in enumerate(values)
            if seen[n]
        ]
        out: dict[str, Any] = {"component": w.names[i], "metric": metric, "points": points}
        if note:
            out["note"] = note
        return out, COSTS["metric"]
    if q.view in ("events", "deploys"):
        since = sim.now - q.window
        kinds = (
            ("deploy", "flag", "config", "pipeline", "audit", "job")
            if q.view == "deploys"
            else None
        )
        rows = [
            e.as_dict()
            for e in sim.events
            if e.time >= since
            and (q.component is None or q.component in e.component.split(","))
            and (kinds is None or e.kind in kinds)
        ]
        return {"events": rows}, COSTS[q.view]
    return {"slos": observed(sim, tick + 1)}, COSTS["slo"]
