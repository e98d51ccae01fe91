"""The debrief: what really happened, what the player saw and did, and what it cost.

:func:`build_debrief` turns an :class:`~chaosgame.game.scoring.Assessment` into plain data
(dicts, lists, strings and numbers) that the text console prints, the TUI draws and
``--json`` exports. This is the first place a player sees the hidden truth.
"""

from __future__ import annotations

import re
from typing import Any

from chaosgame.game import debrief_text, impact, trail
from chaosgame.game.baselines import RunSummary
from chaosgame.game.scoring import Assessment
from chaosgame.game.session import Session
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.model import Scenario

EXTRA_QUESTIONS = 3
"""Questions drawn from the bank, by the scenario's topics, after the scenario's own."""
EFFECT_WINDOW_S = 300.0
"""How long before and after a mitigation its effect on the burn rate is measured."""
VIEW_NAMES = {
    "map": "the service map",
    "deploys": "the change history",
    "events": "the event timeline",
    "slo": "the SLOs",
}
CHANGE_WORDS = ("deploy", "version", "rollback", "rolled", "flag", "config", "release")


def _since(session: Session | RunSummary, t: float) -> str:
    d = t - session.start_time
    sign = "-" if d < 0 else "+"
    d = abs(d)
    return f"{sign}{int(d // 60)}m{int(d % 60):02d}s"


def describe(act: dict[str, Any]) -> str:
    """One action as a short command-like line."""
    kind = act.get("type")
    if kind == "query":
        if act.get("q"):
            return f"query {act['q']}"
        bits = [str(act[k]) for k in ("view", "component", "metric") if act.get(k)]
        return "look: " + (" ".join(bits) or "telemetry")
    if kind == "mitigate":
        extra = " ".join(
            f"{k}={v}" for k, v in act.items() if k not in ("type", "action", "target")
        )
        return f"do {act['action']} {act['target']}" + (f" {extra}" if extra else "")
    if kind == "wait":
        if act.get("until") == "next":
            return "wait until the next step"
        return f"wait {act['seconds']:g}s"
    if kind == "declare":
        conf = act.get("confidence", 1.0)
        return f"declare {act.get('kind')} in {act.get('component') or '(none)'} ({conf:.0%})"
    return str(kind)


def _burn_at(pops: list[impact.Population], lo: int, hi: int) -> float:
    """The worst fleet-wide burn rate over ticks ``[lo, hi)``."""
    worst = 0.0
    for p in pops:
        if p.tenant is not None or hi <= lo:
            continue
        total = float(p.total[lo:hi].sum())
        if total > 0:
            worst = max(worst, float(p.bad[lo:hi].sum()) / total / (1.0 - p.target))
    return worst


def _reference_steps(a: Assessment) -> set[tuple[str, str, str | None]]:
    return {(m.action, m.target, getattr(m, "to", None)) for m in a.scenario.truth.mitigations}


def actions(a: Assessment) -> list[dict[str, Any]]:
    """Every player action with its time, its cost and what it did."""
    s, sc = a.player, a.scenario
    assert s.sim is not None
    dt = s.sim.dt
    chain = {step.component for step in sc.truth.causal_chain}
    names = set(s.sim.world.names)
    reference = _reference_steps(a)
    out = []
    mitigations = [e for e in s.sim.events if e.kind == "mitigation" and e.actor == "player"]
    for i, entry in enumerate(s.actions):
        act, t = entry["action"], float(entry["time"])
        row: dict[str, Any] = {
            "time": t,
            "clock": s.clock(t),
            "since_page": _since(s, t),
            "type": act.get("type"),
            "text": describe(act),
        }
        nxt = s.actions[i + 1]["time"] if i + 1 < len(s.actions) else s.now
        row["cost_s"] = float(entry.get("cost_s", float(nxt) - t))
        if act.get("type") == "query":
            looked = sorted(trail.looked(entry["action"], names))
            on_chain = [c for c in looked if c in chain]
            if on_chain:
                row["effect"] = f"looked at {', '.join(on_chain)} (on the causal chain)"
            elif looked:
                row["effect"] = f"looked at {', '.join(looked)} (not on the causal chain)"
            else:
                row["effect"] = "looked at " + VIEW_NAMES.get(str(act.get("view")), "telemetry")
        elif act.get("type") == "mitigate":
            row.update(_mitigation_effect(a, act, t, dt, chain, reference, mitigations))
        elif act.get("type") == "declare":
            verdicts = a.score.part("diagnosis").data.get("verdicts", [])
            last = s.declarations[-1]["time"] if s.declarations else None
            row["effect"] = f"judged: {verdicts[0]}" if t == last and verdicts else "replaced later"
        elif act.get("type") == "wait":
            row["effect"] = "time passed; the incident went on"
        else:
            row["effect"] = "stopped playing; the simulation ran on to check the fix held"
        out.append(row)
    return out


def _mitigation_effect(
    a: Assessment,
    act: dict[str, Any],
    t: float,
    dt: float,
    chain: set[str],
    reference: set[tuple[str, str, str | None]],
    events: list[Any],
) -> dict[str, Any]:
    info = MITIGATIONS.get(str(act.get("action")))
    delay = info.delay_s if info else 0.0
    effective = t + delay
    message = ""
    for e in events:
        mine = e.component == act["target"] and e.message.startswith(f"{act['action']}:")
        if mine and e.time >= t - 1e-9:
            message = e.message.partition(": ")[2]
            break
    w = int(EFFECT_WINDOW_S / dt)
    at = int(effective // dt)
    pops = a.pops["player"]
    before = _burn_at(pops, max(at - w, 0), at)
    after = _burn_at(pops, at, min(at + w, a.horizon_tick))
    key = (str(act["action"]), str(act["target"]), act.get("to"))
    if key in reference:
        role = "part of the reference solution"
    elif act["target"] in chain:
        role = "acted on a component of the causal chain"
    else:
        role = "not related to the cause"
    risky = bool(info and info.risky)
    return {
        "took_effect_at": effective,
        "result": message or "did not take effect before the end",
        "role": role,
        "risky": risky,
        "burn_before": round(before, 2),
        "burn_after": round(after, 2),
        "effect": f"{message or 'pending'}; burn rate {before:.1f}x -> {after:.1f}x ({role})",
    }


def signals(a: Assessment) -> list[dict[str, Any]]:
    """The signals that pointed to the cause, and whether the player looked at each."""
    s, sc = a.player, a.scenario
    assert s.sim is not None
    names = set(s.sim.world.names)
    journeys = {j.name for j in sc.journeys}
    looked: set[str] = set()
    views: set[str] = set()
    for entry in s.actions:
        if entry["action"].get("type") == "query":
            looked |= trail.looked(entry["action"], names)
            views.add(str(entry["action"].get("view", "")))
    out = []
    for text in sc.debrief.signals:
        words = set(re.findall(r"[a-z][a-z0-9_-]*", text.lower()))
        comps = sorted(words & names)
        seen = (
            bool(set(comps) & looked)
            or bool(words & journeys and views & {"slo", "map"})
            or bool(
                any(w.startswith(CHANGE_WORDS) for w in words) and views & {"deploys", "events"}
            )
        )
        out.append({"signal": text, "components": comps, "looked_at": seen})
    return out


def reference_path(a: Assessment) -> list[dict[str, Any]]:
    """The reference player's steps, timed like the player's."""
    ref = a.base.reference
    return [
        {
            "time": float(e["time"]),
            "clock": ref.clock(float(e["time"])),
            "since_page": _since(ref, float(e["time"])),
            "text": describe(e["action"]),
        }
        for e in ref.actions
    ]


def causal_chain(a: Assessment) -> list[dict[str, Any]]:
    """The hidden causal chain, with wall-clock times where the scenario gives them."""
    s = a.player
    return [
        {
            "component": step.component,
            "what": step.what,
            "time": step.at,
            "clock": s.clock(step.at) if step.at is not None else None,
        }
        for step in a.scenario.truth.causal_chain
    ]


def sli_curves(a: Assessment, step: int = 6) -> dict[str, Any]:
    """The SLI per minute for the player, the reference and doing nothing (plot-ready)."""
    assert a.player.sim is not None
    dt = a.player.sim.dt
    lo = max(a.onset_tick - int(600 / dt), 0)
    fleet = [p for p in a.pops["player"] if p.tenant is None]
    return {
        "columns": ["time", *(p.slo for p in fleet)],
        "targets": {p.slo: p.target for p in fleet},
        "page_at": a.player.start_time,
        "ended_at": a.end_tick * dt,
        **{name: impact.curve(pops, lo, a.horizon_tick, dt, step) for name, pops in a.pops.items()},
    }


def questions(a: Assessment) -> list[dict[str, Any]]:
    """The scenario's own questions, then more from the bank drawn by its topics and seed.

    A bank question's ``why_not`` lists, aligned with its choices, each wrong choice's rebuttal
    (None for the right one); a scenario's own questions have none.
    """
    out: list[dict[str, Any]] = []
    for q in a.scenario.debrief.questions:
        out.append(
            {
                "id": None,
                "source": "scenario",
                "topics": list(q.topics),
                "question": q.question,
                "kind": "choice" if q.choices else "open",
                "choices": list(q.choices),
                "answer": q.answer,
                "explanation": q.explanation,
                "why_not": [],
                "rubric": [],
            }
        )
    try:
        from chaosgame.game import questions as bank
    except ImportError:  # the bank is optional: a debrief never fails for want of it
        return out
    try:
        drawn = bank.draw(a.scenario.topics, EXTRA_QUESTIONS, a.player.seed)
    except ValueError:
        return out
    for b in drawn:
        out.append(
            {
                "id": b.id,
                "source": "bank",
                "topics": list(b.topics),
                "question": b.question,
                "kind": b.kind,
                "choices": list(b.choices),
                "answer": b.answer,
                "explanation": b.explanation,
                "why_not": [b.rebuttal(n) for n in range(len(b.choices))],
                "rubric": list(b.rubric),
            }
        )
    return out


def build_debrief(a: Assessment) -> dict[str, Any]:
    """Everything the debrief shows, as plain data, with the ``sections`` every frontend shows
    (:func:`chaosgame.game.debrief_text.sections`) and, in ``sli["burned"]``, the SLOs that
    burned budget, the worst first."""
    sc, s = a.scenario, a.player
    rc = sc.truth.root_cause
    data: dict[str, Any] = {
        "scenario": {"id": sc.id, "title": sc.title, "seed": s.seed},
        "score": a.score.as_dict(),
        "summary": sc.debrief.summary.strip(),
        "root_cause": {"component": rc.component, "kind": rc.kind}
        | ({"artefact": rc.artefact} if rc.artefact is not None else {}),
        "onset": {"time": s.onset, "clock": s.clock(s.onset)},
        "page": {"time": s.start_time, "clock": s.clock(s.start_time)},
        "ended": {"time": s.now, "clock": s.clock(), "reason": s.end_reason},
        "causal_chain": causal_chain(a),
        "contributing": list(sc.truth.contributing),
        "red_herrings": [{"ref": h.ref, "why": h.why} for h in sc.truth.red_herrings],
        "signals": signals(a),
        "player_path": actions(a),
        "reference_path": reference_path(a),
        "recovered": a.recovery["player"].held,
        "sli": sli_curves(a),
        "questions": questions(a),
    }
    notes = evidence_notes(sc)
    if notes:
        data["evidence_notes"] = notes
    if s.injected:
        data["injected"] = [
            {**e, "clock": s.clock(e["at"])}
            | ({"starts_clock": s.clock(e["starts"])} if "starts" in e else {})
            for e in s.injected
        ]
    data["sli"]["burned"] = debrief_text.burned_slos(data)
    data["sections"] = debrief_text.sections(data)
    return data


def evidence_notes(sc: Scenario) -> list[dict[str, Any]]:
    """The authored evidence the scenario explains (its debrief-only ``note``), in time order."""
    from chaosgame.engine.evidence import entries, event_of

    out = []
    for row in entries(sc):
        if row.note:
            ev = event_of(row)
            out.append({"time": row.at, "kind": ev.kind, "what": ev.message, "why": row.note})
    return out
