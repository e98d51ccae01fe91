"""The ``heuristic`` strategy player: an honest scripted on-call engineer.

It plays only through :class:`~chaosgame.game.player.PlayerView` and
:mod:`chaosgame.game.strategy_view`, like the cheap players, and reasons as a responder does:

1. **Triage**: the SLOs at the page; with nothing burning, it says so (``no-fault``) and keeps
   its hands off.
2. **Locate**: the service map, the alerts and the change history. It follows failing calls
   down the call graph (a caller's failing edge points at its callee) to the deepest
   component that is itself unhealthy while everything it calls is healthy; a caller whose
   calls fail to a callee that reports itself healthy is the suspect itself (a rule, a pool,
   a credential on its side). With no errors anywhere it compares every service's p99 latency
   with half an hour before and follows the slowdown down instead; with neither, it looks
   where a shipped threshold alert fired first. Ties go to the first component to alert,
   then to one with a change shortly before the trouble began.
3. **Read the suspect**: its chart over two hours (when its trouble began), its events
   (restarts, OOM kills, autoscaling, jobs), what changed on it, the alerts it raised.
4. **Act**: the mitigation that matches the evidence (:func:`hypotheses`): take back a change
   that came just before the onset on the suspect, or the remedy of the fault its signals
   point at (scale when saturated with no change, raise a limit, kill a query, warm a cache,
   fall back from a failing provider...).
5. **Verify**: wait for the action to take effect and for the SLIs to settle; if they still
   burn, try the next hypothesis (at most :data:`MAX_TRIES`).
6. **Declare** the component and fault kind with a confidence that reflects the evidence
   (a change that coincides with the onset and a recovery after undoing it: high; a signal
   alone: lower), with the runner-up hypotheses as alternatives.

Every query costs simulated time while the budget burns, so it asks few (about two minutes of
queries). No table names a scenario or a component: everything is read off the game.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaosgame.game.player import PlayerView
from chaosgame.game.strategy_view import Change, Hands, accepts, change_history

BURNING = 2.0
"""A 5-minute burn rate above this is an SLO still burning (the budget goes twice as fast as
it may)."""
FAILING_EDGE = 0.02
"""A call edge failing more than this share of its calls is a failing edge."""
SLOW = 1.8
"""A p99 latency this many times the one :data:`BEFORE` earlier is a slowdown."""
BEFORE = "30m"
"""How far back the latency it compares with lies."""
IMPROVING = 0.6
"""A burn rate below this share of the one before the fix is a recovery under way."""
MAX_TRIES = 2
"""Hypotheses acted on before it stops trying."""
SETTLE_S = 180.0
"""Seconds it waits after a mitigation took effect before judging the SLIs."""
CHANGE_LEAD_S = 3600.0
"""A change at most this long before the first alert may have caused it."""
CAUSE_ALERTS = frozenset(
    {
        "HighErrorRate",
        "HighLatencyP99",
        "CPUHigh",
        "CPUThrottled",
        "MemoryNearLimit",
        "Saturated",
        "KubePodCrashLooping",
        "ReplicasUnavailable",
        "QueueConsumerLag",
        "ReplicationLag",
        "DiskAlmostFull",
        "DBConnectionsHigh",
        "CacheHitRateLow",
    }
)
"""The threshold alerts the monitoring ships (``docs/queries.md``); others are home-made."""
INFRA = frozenset({"metrics_store", "log_pipeline", "trace_collector", "pager"})
"""Component kinds of the monitoring itself."""

CONFIG_WORDS = (
    ("cpu", "cpu-throttling"),
    ("memory", "oom-working-set"),
    ("mem_", "oom-working-set"),
    ("heap", "gc-pauses"),
    ("gc", "gc-pauses"),
    ("autoscal", "autoscaler-capped"),
    ("max_replicas", "autoscaler-capped"),
    ("liveness", "strict-liveness-probe"),
    ("probe", "strict-liveness-probe"),
    ("pool", "iac-shrank-pool"),
    ("max_conn", "iac-shrank-pool"),
    ("waf", "waf-blocks-users"),
    ("rule", "iac-removed-rule"),
    ("allow", "iac-removed-rule"),
    ("egress", "iac-removed-rule"),
    ("ingress", "iac-removed-rule"),
    ("firewall", "iac-removed-rule"),
    ("security_group", "iac-removed-rule"),
    ("credential", "revoked-access"),
    ("role", "revoked-access"),
    ("grant", "revoked-access"),
    ("iam", "revoked-access"),
    ("token", "revoked-access"),
    ("schema", "migration-lock"),
    ("migration", "migration-lock"),
    ("index", "slow-query-plan"),
)
"""The fault kind a config key's words suggest (the first match wins; else ``bad-config``)."""


@dataclass
class Hypothesis:
    """A suspected cause, the actions that would fix it, and how strongly the evidence says
    so (0 to 1)."""

    component: str | None
    kind: str
    fix: list[dict[str, Any]]
    strength: float
    why: str = ""


@dataclass
class Picture:
    """What the responder has read off the game so far."""

    fleet: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    alerts: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    """Component alerts by component: (start, name), firing and recently resolved."""
    history: list[Change] = field(default_factory=list)
    onset: float | None = None
    """When the suspect's trouble began (None: not known; the page stands for it)."""
    page: float = 0.0
    """When the page came."""
    slow: dict[str, float] = field(default_factory=dict)
    """p99 latency now over half an hour before, by service (only read when nothing fails)."""

    def kind(self, name: str) -> str | None:
        row = self.fleet.get(name)
        return None if row is None else str(row.get("kind"))

    def callees(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.edges if e["from"] == name]

    def callers(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.edges if e["to"] == name]


# --------------------------------------------------------------------------- reading
def _ok(hands: Hands, query: Mapping[str, Any]) -> dict[str, Any]:
    return hands.act(query) or {}


def burning(view: PlayerView) -> list[dict[str, Any]]:
    """The SLOs burning now (5-minute burn rate over :data:`BURNING`)."""
    slos = view.observe().get("slos", [])
    return [s for s in slos if float(s.get("burn_5m") or 0.0) > BURNING]


def burn(view: PlayerView) -> float:
    """The fastest 5-minute burn rate of any SLO now."""
    return max(
        (float(s.get("burn_5m") or 0.0) for s in view.observe().get("slos", [])), default=0.0
    )


def read_picture(hands: Hands) -> Picture:
    """The map, the alerts and the change history (50 simulated seconds)."""
    pic = Picture(page=hands.view.started_at)
    out = _ok(hands, {"type": "query", "view": "map"})
    pic.fleet = {str(r["name"]): dict(r) for r in out.get("components", [])}
    pic.edges = [dict(e) for e in out.get("edges", [])]
    alerts = _ok(hands, {"type": "query", "q": "alerts"})
    for row in [*alerts.get("firing", []), *alerts.get("resolved", [])]:
        comp = (row.get("labels") or {}).get("service")
        if comp and comp in pic.fleet and pic.kind(comp) not in INFRA:
            pic.alerts.setdefault(str(comp), []).append(
                (float(row.get("start") or 0.0), str(row.get("name", "")))
            )
    for rows in pic.alerts.values():
        rows.sort()
    pic.history = change_history(hands.view)
    return pic


def read_slowdown(hands: Hands, pic: Picture) -> None:
    """Every service's p99 latency now over half an hour before (one metrics query)."""
    q = 'max by (service) (http_request_duration_seconds{quantile="0.99"})'
    before = q.replace("})", f"}} offset {BEFORE})")
    out = _ok(hands, {"type": "query", "q": f"{q} / {before} --since=1m"})
    for s in out.get("series", []):
        name = (s.get("labels") or {}).get("service")
        points = [p[1] for p in s.get("points", []) if isinstance(p[1], int | float)]
        if name and points:
            pic.slow[str(name)] = float(points[-1])


# --------------------------------------------------------------------------- locating
def _unhealthy(pic: Picture, name: str) -> bool:
    """Whether the map shows ``name`` degraded or failing."""
    return pic.fleet.get(name, {}).get("health") in ("degraded", "failing")


def _clearly_healthy(pic: Picture, name: str) -> bool:
    """Whether ``name`` reports its own metrics and they show it healthy and not failing: when
    the calls to it fail anyway, the trouble lies on the caller's side of the call (a rule,
    a pool, a credential, an address)."""
    row = pic.fleet.get(name, {})
    own = (row.get("instrumented") or {}).get("metrics", True)
    return (
        bool(own)
        and row.get("kind") != "external"
        and row.get("health") == "ok"
        and float(row.get("errors") or 0.0) < 0.01
    )


def _edge_failing(e: Mapping[str, Any]) -> bool:
    return float(e.get("errors") or 0.0) > FAILING_EDGE or e.get("breaker") not in (
        None,
        "closed",
    )


def _bad(pic: Picture, name: str) -> bool:
    """Unhealthy itself, or the calls to it fail."""
    if pic.kind(name) in INFRA:
        return False
    if pic.slow:
        return pic.slow.get(name, 0.0) > SLOW
    return _unhealthy(pic, name) or any(_edge_failing(e) for e in pic.callers(name))


def _bad_below(pic: Picture, name: str) -> bool:
    """Whether something ``name`` calls is itself in trouble."""
    for e in pic.callees(name):
        callee = str(e["to"])
        if pic.kind(callee) in INFRA:
            continue
        if pic.slow:
            if pic.slow.get(callee, 0.0) > SLOW:
                return True
        elif (_edge_failing(e) and not _clearly_healthy(pic, callee)) or _unhealthy(pic, callee):
            return True
    return False


def suspects(pic: Picture) -> list[str]:
    """Components in trouble whose callees are all healthy, the likeliest first.

    Likeliest: the first to alert, then one changed shortly before the onset, then the most
    failing; a component that is only a symptom of a failing callee comes after them all."""
    bad = [n for n in pic.fleet if _bad(pic, n)]
    deepest = [n for n in bad if not _bad_below(pic, n)]

    def first_alert(n: str) -> float:
        rows = pic.alerts.get(n)
        return rows[0][0] if rows else float("inf")

    def rank(n: str) -> tuple[float, int, float, str]:
        changed = 0 if _recent_changes(pic, n, first_alert(n)) else 1
        errors = float(pic.fleet.get(n, {}).get("errors") or 0.0)
        slow = pic.slow.get(n, 0.0)
        return first_alert(n), changed, -(errors + slow), n

    rest = [n for n in bad if n not in deepest]
    return sorted(deepest, key=rank) + sorted(rest, key=rank)


def alerting(pic: Picture) -> list[str]:
    """Components with a shipped threshold alert, the first to fire first: where to look when
    neither errors nor a slowdown lead anywhere (data that is wrong rather than late)."""
    rows = [
        (min(t for t, a in alerts if a in CAUSE_ALERTS), name)
        for name, alerts in pic.alerts.items()
        if any(a in CAUSE_ALERTS for _, a in alerts)
    ]
    return [name for _, name in sorted(rows)]


def _recent_changes(pic: Picture, name: str, onset: float | None = None) -> list[Change]:
    """Changes to ``name`` (or a flag it evaluates) before its trouble began (``onset``, else
    the suspect's onset, else the page), the newest first."""
    onset = pic.onset if onset is None or onset == float("inf") else onset
    until = (onset + 30.0) if onset is not None else pic.page
    found = [
        c
        for c in pic.history
        if name in c.components and c.time <= until and (until - c.time <= CHANGE_LEAD_S)
    ]
    return sorted(found, key=lambda c: -c.time)


# ---------------------------------------------------------------------------- reasoning
def _has(pic: Picture, name: str, *alerts: str) -> bool:
    return any(a in alerts for _, a in pic.alerts.get(name, []))


def _config_kind(key: str) -> str:
    low = key.lower()
    return next((kind for word, kind in CONFIG_WORDS if word in low), "bad-config")


def _slower_than_failing(pic: Picture, name: str) -> bool:
    """Whether the suspect is slow rather than failing: its latency alert without an error
    alert, or its callers' calls to it failing (timing out) far more than it fails itself."""
    if pic.slow:
        return True
    if _has(pic, name, "HighLatencyP99") and not _has(pic, name, "HighErrorRate"):
        return True
    own = float(pic.fleet.get(name, {}).get("errors") or 0.0)
    calls = max((float(e.get("errors") or 0.0) for e in pic.callers(name)), default=0.0)
    return calls > 2.0 * own + 0.05


def _change_hypothesis(pic: Picture, name: str, change: Change) -> Hypothesis:
    """What undoing ``change`` on suspect ``name`` fixes, and the kind it names."""
    undo = change.undo(pic.history)
    if change.kind == "deploy":
        if "canary" in change.message:
            kind = "bad-canary"
            undo = {"type": "mitigate", "action": "shift-traffic", "target": name, "weight": 0.0}
        elif _has(pic, name, "MemoryNearLimit", "KubePodCrashLooping"):
            kind = "memory-leak"
        elif _slower_than_failing(pic, name):
            kind = "latency-regression"
        else:
            kind = "bad-deploy"
        return Hypothesis(name, kind, [undo], 0.75, f"deployed {change.subject} before the onset")
    if change.kind == "flag":
        cpu = _has(pic, name, "CPUHigh", "CPUThrottled", "Saturated")
        kind = "expensive-flag" if cpu else "broken-flag"
        return Hypothesis(name, kind, [undo], 0.7, f"flag {change.subject} changed")
    kind = _config_kind(change.subject)
    return Hypothesis(name, kind, [undo], 0.7, f"config {change.subject} changed")


def _caller(pic: Picture, name: str) -> str | None:
    """The caller whose calls to ``name`` fail most (a workload)."""
    rows = [e for e in pic.callers(name) if accepts("switch-fallback", pic.kind(str(e["from"])))]
    rows.sort(key=lambda e: (-float(e.get("errors") or 0.0), str(e["from"])))
    return str(rows[0]["from"]) if rows else None


def _signal_hypotheses(pic: Picture, name: str, events: list[dict[str, Any]]) -> list[Hypothesis]:
    """Hypotheses from what the suspect's own signals say (no change to blame)."""
    kind = pic.kind(name)
    replicas = int(pic.fleet.get(name, {}).get("replicas") or 1)
    reasons = " ".join(str(e.get("reason", "")) + " " + str(e.get("message", "")) for e in events)
    low = reasons.lower()
    out: list[Hypothesis] = []

    def act(action: str, **params: Any) -> dict[str, Any]:
        return {"type": "mitigate", "action": action, "target": name, **params}

    if kind == "external":
        caller = _caller(pic, name)
        fix = [] if caller is None else [act("switch-fallback") | {"target": caller, "to": name}]
        out.append(Hypothesis(name, "external-dependency", fix, 0.6, "a provider fails"))
        return out
    if kind == "database":
        if _has(pic, name, "DiskAlmostFull"):
            out.append(Hypothesis(name, "disk-full", [act("raise-limit", resource="disk")], 0.7))
        if _has(pic, name, "ReplicationLag"):
            out.append(Hypothesis(name, "replication-lag", [act("kill-query")], 0.55))
        if "backfill" in low or "job" in low:
            out.append(Hypothesis(name, "backfill-saturation", [act("pause-job")], 0.5))
        if "migration" in low or "schema" in low:
            out.append(Hypothesis(name, "migration-lock", [act("kill-query")], 0.5))
        out.append(Hypothesis(name, "slow-query-plan", [act("kill-query")], 0.4))
        return out
    if kind == "cache":
        out.append(Hypothesis(name, "cache-flush", [act("warm-cache")], 0.55))
        return out
    if kind == "queue":
        out.append(Hypothesis(name, "queue-backlog", [act("dead-letter")], 0.35))
        return out
    if "oom" in low or _has(pic, name, "MemoryNearLimit"):
        if "oom" in low and not _has(pic, name, "MemoryNearLimit"):
            out.append(
                Hypothesis(name, "oom-working-set", [act("raise-limit", resource="memory")], 0.55)
            )
        out.append(Hypothesis(name, "memory-leak", [act("restart", rolling=True)], 0.5))
    if _has(pic, name, "CPUThrottled"):
        out.append(Hypothesis(name, "cpu-throttling", [act("raise-limit", resource="cpu")], 0.5))
    if _has(pic, name, "Saturated", "CPUHigh"):
        if "autoscal" in low and ("max" in low or "limit" in low):
            fix = [act("set-autoscaler-max", max_replicas=min(3 * replicas, 500))]
            out.append(Hypothesis(name, "autoscaler-capped", fix, 0.55))
        if accepts("scale", kind):
            fix = [act("scale", replicas=min(2 * replicas, 500))]
            out.append(Hypothesis(name, "traffic-spike", fix, 0.45))
    if _has(pic, name, "KubePodCrashLooping") or "liveness" in low:
        out.append(Hypothesis(name, "strict-liveness-probe", [act("restart", rolling=True)], 0.3))
    if not out and accepts("restart", kind):
        out.append(Hypothesis(name, "bad-deploy", [act("restart", rolling=True)], 0.25))
    return out


def hypotheses(pic: Picture, name: str, events: list[dict[str, Any]]) -> list[Hypothesis]:
    """What may be wrong with suspect ``name``, the likeliest first: a change that came
    shortly before the onset on it, then what its own signals say."""
    out: list[Hypothesis] = []
    for change in _recent_changes(pic, name)[:1]:
        out.append(_change_hypothesis(pic, name, change))
    for h in _signal_hypotheses(pic, name, events):
        if all((h.component, h.kind) != (o.component, o.kind) for o in out):
            out.append(h)
    return out


# ---------------------------------------------------------------------------- playing
def _settle(hands: Hands) -> None:
    """Wait until every action under way has acted, then a little for the SLIs to move."""
    hands.wait_for_actions()
    if not hands.view.ended:
        hands.act({"type": "wait", "seconds": SETTLE_S})


def _apply(hands: Hands, h: Hypothesis) -> float | None:
    """Carry out ``h``'s fix and verify it: the fastest burn rate afterwards as a share of the
    one before (0 once every SLO is within its budget again; waiting longer while it falls),
    None when the game took none of it."""
    before = max(burn(hands.view), 1e-9)
    taken = [hands.act(a) is not None for a in h.fix]
    if not any(taken):
        return None
    _settle(hands)
    now = burn(hands.view)
    if now > BURNING and now < IMPROVING * before and not hands.view.ended:
        hands.act({"type": "wait", "seconds": SETTLE_S + 120.0})
        now = burn(hands.view)
    return 0.0 if now <= BURNING else min(now / before, 1.0)


def read_onset(hands: Hands, pic: Picture, name: str) -> float | None:
    """When the suspect's trouble began, from its chart over the last two hours (errors, or
    p99 latency when the trouble is a slowdown): the first point well above the quiet level
    it had at the start of the window. None when the chart is empty or flat."""
    metric = "latency_p99" if pic.slow else "errors"
    q = {"type": "query", "view": "metric", "component": name, "metric": metric, "window": 7200}
    points = [
        (float(t), float(v))
        for t, v in _ok(hands, q).get("points", [])
        if isinstance(v, int | float)
    ]
    if len(points) < 4:
        return None
    quiet = sorted(v for _, v in points[: max(len(points) // 4, 2)])
    base = quiet[len(quiet) // 2]
    peak = max(v for _, v in points)
    if peak <= base * 1.5 + (0.01 if metric == "errors" else 0.0):
        return None
    mark = base + (peak - base) * 0.25
    return next(t for t, v in points if v >= mark)


def _events(hands: Hands, name: str) -> list[dict[str, Any]]:
    out = _ok(hands, {"type": "query", "q": f"events {name} --since=2h"})
    return [dict(e) for e in out.get("events", [])]


def heuristic(hands: Hands) -> None:
    """Triage, locate, read the suspect, act, verify, declare (module docstring)."""
    view = hands.view
    pic = read_picture(hands)
    if not burning(view) and not view.observe().get("alerts"):
        hands.declare(None, "no-fault", 0.7)
        hands.end()
        return
    ranked = suspects(pic)
    if not ranked:
        read_slowdown(hands, pic)
        ranked = suspects(pic)
    if not ranked:
        ranked = alerting(pic)
    if not ranked:
        hands.declare(None, "no-fault", 0.4)
        hands.end()
        return
    top = ranked[0]
    own = pic.alerts.get(top)
    pic.onset = read_onset(hands, pic, top) or (own[0][0] if own else None)
    events = _events(hands, top)
    found = hypotheses(pic, top, events)
    for other in ranked[1:2]:
        found += [
            Hypothesis(h.component, h.kind, h.fix, h.strength * 0.5, h.why)
            for h in hypotheses(pic, other, [])[:1]
        ]
    tried: list[tuple[Hypothesis, float]] = []
    for h in found:
        if len(tried) >= MAX_TRIES or view.ended or not h.fix:
            continue
        if any(h.fix == t.fix for t, _ in tried):
            continue
        left = _apply(hands, h)
        if left is None:
            continue
        tried.append((h, left))
        if left < IMPROVING**2:
            break
    _declare(hands, found, tried)
    hands.end()


def _confirmed(tried: list[tuple[Hypothesis, float]]) -> Hypothesis | None:
    """The hypothesis whose fix the SLIs answered: the first that brought the burn well down
    (a later fix only counts when the ones before it changed nothing)."""
    for h, left in tried:
        if left < IMPROVING:
            return h
        if left < 0.9:
            return None
    return None


def _declare(hands: Hands, found: list[Hypothesis], tried: list[tuple[Hypothesis, float]]) -> None:
    """Declare the hypothesis a recovery confirmed (else the likeliest), the next two as
    alternatives, each with a confidence that reflects the evidence."""
    if not found:
        hands.declare(None, "no-fault", 0.3)
        return
    confirmed = _confirmed(tried)
    first = confirmed or found[0]
    conf = min(0.9, first.strength + (0.15 if confirmed is not None else -0.1))
    rest = [h for h in found if h is not first]
    seen = {(first.component, first.kind)}
    alternatives: list[dict[str, Any]] = []
    for h in rest:
        if (h.component, h.kind) in seen or len(alternatives) >= 2:
            continue
        seen.add((h.component, h.kind))
        share = round(max(0.05, min(h.strength * 0.3, (1.0 - conf) / 2)), 2)
        alternatives.append({"component": h.component, "kind": h.kind, "confidence": share})
    hands.act(
        {
            "type": "declare",
            "component": first.component,
            "kind": first.kind,
            "confidence": round(max(conf, 0.1), 2),
            "alternatives": alternatives,
        }
    )
