"""The answer key among the strategy players: it reads the hidden truth.

``reference`` plays a scenario as an expert who knew the answer would: it looks at the
evidence that names the root cause and the causal chain, applies the scenario's reference
solution (waiting on the true state between its stages, as ``chaosgame.game.players.play``
does), and declares the true cause. The cheap players of ``chaosgame.game.strategies`` must
score far below it.
"""

from __future__ import annotations

from typing import Any

from chaosgame.game.player import PlayerView
from chaosgame.game.players import EXPERT_CONFIDENCE, evidence_components, reference_actions
from chaosgame.game.session import Session
from chaosgame.game.strategy_view import Hands, alert_component, read_alerts
from chaosgame.game.timeskip import wait_until
from chaosgame.scenario.model import Scenario


def reference(scenario: Scenario, seed: int | None = None) -> tuple[PlayerView, list[str]]:
    """The answer key: looks at the evidence for the true cause as an expert would, applies
    the reference solution, declares the true cause (confidence 0.9), ends.

    The evidence: the change history of the root-cause component (a fleet-wide cause's
    first), its chart of the metric its fault moves, its warning and error logs, and a chart
    of the next component of the causal chain (each as its telemetry allows: logs, else
    pods, where it has no metrics). With no fault, it starts at the loudest alert's component.
    """
    session = Session(scenario, seed)
    session.reset()
    view = PlayerView._around(session)
    hands = Hands(view)
    try:
        for query in _evidence_queries(scenario, seed, hands):
            hands.act(query)
        for act in reference_actions(scenario):
            if act["type"] in ("declare", "end") or session.ended:
                continue
            if act["type"] == "wait_until":
                why = wait_until(session, act["condition"], float(act["timeout"]))
                if why is not None:
                    hands.skipped.append(why)
                if session.now >= session.deadline - 1e-9 and not session.ended:
                    hands.end()
                continue
            hands.act(act)
        rc = scenario.truth.root_cause
        hands.declare(rc.component or rc.artefact, rc.kind, EXPERT_CONFIDENCE)
    except Exception as exc:  # the answer key never crashes the benchmark either
        hands.skipped.append(f"the strategy stopped: {type(exc).__name__}: {exc}")
    hands.end()
    return view, hands.skipped


_KIND_METRIC = (
    ("memory", "memory"),
    ("oom", "memory"),
    ("gc", "memory"),
    ("cpu", "cpu"),
    ("expensive", "cpu"),
    ("credential", "cpu"),
    ("herd", "cpu"),
    ("replication", "replication_lag"),
    ("stale-failover", "replication_lag"),
    ("disk", "disk"),
    ("pool", "connections"),
    ("fd-", "connections"),
    ("cache", "cache_hit"),
    ("backlog", "backlog"),
    ("poison", "backlog"),
    ("autoscaler", "replicas"),
    ("cluster", "replicas"),
    ("image", "replicas"),
    ("node", "replicas"),
    ("readiness", "replicas"),
    ("liveness", "restarts"),
    ("traffic", "rps"),
    ("latency", "latency_p99"),
    ("slow", "latency_p99"),
    ("lock", "latency_p99"),
)
"""The chart an expert opens first for a fault kind (the first keyword in the kind wins;
otherwise errors)."""


def _evidence_queries(scenario: Scenario, seed: int | None, hands: Hands) -> list[dict[str, Any]]:
    """Where the expert looks: the components ``players.evidence_components`` names (the
    root cause's, the first of a fleet-wide cause's, and the next one of the causal chain);
    with no fault, the component of the loudest alert first."""
    rc = scenario.truth.root_cause
    comps = {c.name: c for c in scenario.components}
    looks = [c for c in evidence_components(scenario, seed) if c in comps]
    if rc.kind == "no-fault" or not looks:
        alerts = read_alerts(hands)
        named = [alert_component(a) for a in alerts.firing + alerts.resolved]
        looks = [*dict.fromkeys([c for c in named if c in comps][:1] + looks)]
    if not looks:
        return []
    root = looks[0]
    other = next((c for c in looks if c != root), root)
    metric = next((m for word, m in _KIND_METRIC if word in rc.kind), "errors")

    def chart(name: str, what: str) -> dict[str, Any]:
        tel = comps[name].telemetry
        if tel.metrics:
            return {"type": "query", "view": "metric", "component": name, "metric": what}
        if tel.logs:
            return {"type": "query", "q": f'logs {{service="{name}"}}'}
        return {"type": "query", "q": f"pods {name}"}

    queries = [
        {"type": "query", "view": "deploys", "component": root, "window": 86400.0},
        chart(root, metric),
    ]
    if comps[root].telemetry.logs:
        queries.append({"type": "query", "q": f'logs {{service="{root}", level=~"warn|error"}}'})
    queries.append(chart(other, "errors" if other != root else "latency_p99"))
    return queries


def truth_sheet(scenario: Scenario, seed: int | None = None) -> dict[str, Any]:
    """The hidden truth as an interviewer reads it while the candidate plays, as plain data:
    the summary, the root cause, the causal chain (``at``: simulated seconds, or None), the
    contributing factors, the red herrings, the signals that point to the cause, the reference
    solution and the expert's path (``chaosgame.game.players.expert_actions``) as lines of
    text, and the incident's curriculum topics. Nothing here is played: it is instant."""
    from chaosgame.game.debrief import describe
    from chaosgame.game.players import expert_actions, reference_actions

    truth = scenario.truth
    rc = truth.root_cause

    def line(act: dict[str, Any]) -> str:
        if act.get("type") == "wait_until":
            cond = " ".join(f"{k}={v}" for k, v in act["condition"].items() if v is not None)
            return f"wait until {cond} (at most {float(act['timeout']):g}s)"
        return describe(act)

    return {
        "title": scenario.title,
        "summary": scenario.debrief.summary.strip(),
        "root_cause": {"component": rc.component, "kind": rc.kind}
        | ({"artefact": rc.artefact} if rc.artefact is not None else {}),
        "causal_chain": [
            {"component": s.component, "what": s.what, "at": s.at} for s in truth.causal_chain
        ],
        "contributing": list(truth.contributing),
        "red_herrings": [{"ref": h.ref, "why": h.why} for h in truth.red_herrings],
        "signals": list(scenario.debrief.signals),
        "reference_solution": [line(a) for a in reference_actions(scenario)],
        "expert_path": [line(a) for a in expert_actions(scenario, seed)],
        "topics": list(scenario.topics),
    }
