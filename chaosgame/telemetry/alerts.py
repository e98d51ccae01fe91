"""Alerts: multi-window burn-rate SLO alerts and threshold alerts on causes.

SLO alerts follow the SRE workbook (``engine/slo.py``: page when the 1 h and 5 min burn rates
both exceed 14.4, or 6 h and 30 min both exceed 6; ticket when 3 d and 6 h both exceed 1).
Threshold alerts watch causes (errors, latency, CPU, memory, restarts, lag, disk,
connections, cache, breakers) and fire once their condition has held for their ``for``
duration. A component with ``telemetry.noisy_alerts`` gets hair-trigger thresholds and no
``for`` duration: its alerts flap, as badly tuned alerts do. Rules evaluate only on metrics
that were scraped (nothing while the metrics store is down); notifications reach the player
only while the pager is up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import physics as ph
from chaosgame.engine import slo as slo_mod
from chaosgame.telemetry import gaps
from chaosgame.telemetry.listings import clock

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.query import Window

B = NDArray[np.bool_]
F = NDArray[np.float64]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    summary: str  # formatted with {service} and {value}
    series: str
    threshold: float
    noisy: float
    for_s: float
    own: bool = True  # needs the component's own metrics
    kinds: tuple[str, ...] | None = None


RULES = (
    Rule(
        "HighErrorRate",
        "warning",
        "{service} is failing {value:.1%} of requests",
        "errors",
        0.05,
        0.002,
        120,
    ),
    Rule(
        "HighLatencyP99", "warning", "{service} p99 latency is {value:.2f}s", "p99", 1.0, 0.2, 300
    ),
    Rule("CPUHigh", "warning", "{service} uses {value:.0%} of its CPU limit", "cpu", 0.9, 0.5, 300),
    Rule(
        "CPUThrottled",
        "warning",
        "{service} is CPU-throttled ({value:.0%} of the time)",
        "throttled",
        0.25,
        0.02,
        300,
    ),
    Rule(
        "MemoryNearLimit",
        "warning",
        "{service} memory at {value:.0%} of its limit",
        "mem",
        0.9,
        0.6,
        120,
    ),
    Rule(
        "Saturated",
        "warning",
        "{service} is at {value:.0%} of its capacity",
        "utilisation",
        0.9,
        0.6,
        300,
    ),
    Rule(
        "KubePodCrashLooping",
        "warning",
        "{service} restarted {value:.0f} times in 10m",
        "restarts",
        0.5,
        0.5,
        0,
        own=False,
    ),
    Rule(
        "ReplicasUnavailable",
        "warning",
        "{service} has {value:.0f} replicas fewer than desired",
        "missing",
        0.5,
        0.5,
        300,
        own=False,
    ),
    Rule(
        "QueueConsumerLag",
        "warning",
        "{service} consumers are {value:.0f}s behind",
        "consumer_lag",
        60,
        10,
        300,
        kinds=("queue",),
    ),
    Rule(
        "ReplicationLag",
        "warning",
        "{service} is {value:.0f}s behind its primary",
        "replication_lag",
        30,
        5,
        120,
        kinds=("database",),
    ),
    Rule(
        "DiskAlmostFull",
        "warning",
        "{service} disk is {value:.0%} full",
        "disk",
        0.85,
        0.6,
        300,
        kinds=("database", "queue"),
    ),
    Rule(
        "DBConnectionsHigh",
        "warning",
        "{service} uses {value:.0%} of max connections",
        "conns",
        0.9,
        0.5,
        120,
        kinds=("database",),
    ),
    Rule(
        "CacheHitRateLow",
        "warning",
        "{service} hit ratio is {value:.0%}",
        "miss",
        0.5,
        0.1,
        300,
        kinds=("cache",),
    ),
)


def _series(sim: Simulator, name: str, hi: int) -> F:
    c, w = sim.history.comp, sim.world

    def g(key: str) -> F:
        out: F = c[key][:hi].astype(np.float64)
        return out

    if name == "p99":
        return np.asarray(ph.percentile(0.99, g("latency"), g("floor")), dtype=np.float64)
    if name == "throttled":
        return (g("throttle") - 1) / np.maximum(g("throttle"), 1)
    if name == "mem":
        return g("memory") / w.mem_limit
    if name == "restarts":
        r = g("restarts")
        lag = int(round(600 / sim.dt))
        before = np.vstack([np.zeros((lag, r.shape[1])), r])[: r.shape[0]]
        return r - before
    if name == "missing":
        return g("desired") - g("replicas")
    if name == "disk":
        return g("disk") / np.where(np.isfinite(w.disk_gb), w.disk_gb, np.inf)
    if name == "conns":
        return g("connections") / w.max_connections
    if name == "miss":
        return 1.0 - g("cache_hit")  # compared as "hit below threshold" by flipping
    return g(name)


def _held(cond: B, ticks: NDArray[np.int64]) -> B:
    """True where ``cond`` (ticks x columns) has held for ``ticks[column]`` ticks in a row."""
    t = np.arange(cond.shape[0])[:, None]
    last_false = np.maximum.accumulate(np.where(~cond, t, -1), axis=0)
    out: B = (t - last_false) >= np.maximum(ticks, 1)[None, :]
    return out


def _intervals(active: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first tick, end tick exclusive) of each run of True."""
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _burn(sim: Simulator, total: F, bad: F, seconds: float, target: float) -> F:
    """Burn rate over the ``seconds`` before each tick (earlier events count as good)."""
    hi = total.shape[0]
    ct = np.concatenate([[0.0], np.cumsum(total)])
    cb = np.concatenate([[0.0], np.cumsum(bad)])
    n = int(round(seconds / sim.dt))
    end = np.arange(1, hi + 1)
    lo = end - n
    first = float(total[0]) if hi else 0.0
    tt = ct[end] - ct[np.maximum(lo, 0)] + np.where(lo < 0, -lo * first, 0.0)
    bb = cb[end] - cb[np.maximum(lo, 0)]
    out: F = np.where(tt > 0, bb / np.maximum(tt, 1e-12), 0.0) / (1.0 - target)
    return out


def timeline(sim: Simulator, hi: int, *, slo_only: bool = False) -> list[dict[str, Any]]:
    """Every alert episode in ticks ``[0, hi)``: name, labels, start, end (None: firing).

    ``slo_only`` evaluates only the SLO burn-rate rules (what decides paging).
    """
    w = sim.world
    dark = gaps.dark(sim, "metrics", 0, hi)
    out: list[dict[str, Any]] = []
    for s in slo_mod.all_series(sim):

        def burn(seconds: float, s: Any = s) -> F:
            return _burn(sim, s.total[:hi], s.bad[:hi], seconds, s.slo.target)

        rules = [("page", *r) for r in slo_mod.PAGE_RULES] + [("ticket", *slo_mod.TICKET_RULE)]
        for sev, long, short, thr in rules:
            fast = burn(short)
            on = (burn(long) > thr) & (fast > thr) & ~dark
            for a, b in _intervals(on):
                out.append(
                    _episode(
                        sim,
                        f"SLOBurnRate{'Page' if sev == 'page' else 'Ticket'}",
                        sev,
                        {"slo": f"{s.slo.journey}-{s.slo.sli}", "journey": s.slo.journey},
                        f"{s.slo.journey} {s.slo.sli} SLO burning error budget at "
                        f"{fast[b - 1]:.1f}x ({int(long / 3600)}h and {int(short / 60)}m windows over {thr:g}x)",
                        a,
                        b,
                        hi,
                    )
                )
    for rule in () if slo_only else RULES:
        idx = [
            i
            for i in range(w.n)
            if (rule.kinds is None or w.kinds[i] in rule.kinds)
            and (not rule.own or gaps.has(sim, i, "metrics"))
            and w.kinds[i] not in ("external",)
        ]
        if not idx or hi <= 0:
            continue
        values = _series(sim, rule.series, hi)[:, idx]
        noisy = np.array([sim.scenario.components[i].telemetry.noisy_alerts for i in idx])
        limit = np.where(noisy, rule.noisy, rule.threshold)
        cond = values > limit
        cond &= ~dark[:, None]
        need = np.where(noisy, 1, int(round(rule.for_s / sim.dt)))
        active = _held(cond, need)
        for n, i in enumerate(idx):
            for a, b in _intervals(active[:, n]):
                v = float(values[b - 1, n])
                shown = 1.0 - v if rule.series == "miss" else v
                out.append(
                    _episode(
                        sim,
                        rule.name,
                        rule.severity,
                        {"service": w.names[i]},
                        rule.summary.format(service=w.names[i], value=shown),
                        a,
                        b,
                        hi,
                    )
                )
    if not slo_only:
        from chaosgame.telemetry.noise import alert_episodes

        for name, sev, svc, summary, on in alert_episodes(sim, hi, dark):
            for a, b in _intervals(on):
                out.append(_episode(sim, name, sev, {"service": svc}, summary, a, b, hi))
    return out


def _episode(
    sim: Simulator,
    name: str,
    sev: str,
    labels: dict[str, str],
    summary: str,
    a: int,
    b: int,
    hi: int,
) -> dict[str, Any]:
    return {
        "name": name,
        "severity": sev,
        "labels": labels,
        "summary": summary,
        "start": a * sim.dt,
        "end": None if b >= hi else b * sim.dt,
    }


def alerts_query(sim: Simulator, win: Window) -> dict[str, Any]:
    """Alerts firing now, and the ones that fired and resolved within the window."""
    hi = win.end_tick
    episodes = timeline(sim, hi)
    pager_down = gaps.dark(sim, "alerts", 0, hi)
    firing, resolved = [], []
    for ep in episodes:
        row = dict(ep)
        row["since"] = clock(sim, ep["start"])
        a = int(round(ep["start"] / sim.dt))
        b = hi if ep["end"] is None else int(round(ep["end"] / sim.dt))
        # the pager retries delivery: an alert reaches the player once the pager is up
        row["notified"] = bool((~pager_down[a : max(b, a + 1)]).any()) if hi else False
        if ep["end"] is None:
            firing.append(row)
        elif ep["end"] >= win.start:
            row["resolved"] = clock(sim, ep["end"])
            resolved.append(row)
    order = {"page": 0, "ticket": 1, "warning": 2}
    firing.sort(key=lambda r: (order[r["severity"]], r["start"], r["name"]))
    resolved.sort(key=lambda r: -r["end"])
    notes = []
    if hi and pager_down[-1]:
        notes.append("the pager is down: new alerts are not being delivered")
    return {"firing": firing, "resolved": resolved[: win.limit], "notes": notes}
