"""A blameless postmortem in Markdown, written from a scored game. No language model needed:
every sentence comes from the simulation's history, the player's actions and the scenario.
"""

from __future__ import annotations

from typing import Any

from chaosgame.game import figures, impact
from chaosgame.game.debrief import build_debrief
from chaosgame.game.scoring import Assessment

SECTIONS = (
    "Summary",
    "Impact",
    "Detection",
    "Timeline",
    "Root cause and contributing factors",
    "What went well",
    "What did not go well",
    "Action items",
)
"""The level-two headings every postmortem has, in order."""

PREVENT = {
    "bad-deploy": "Gate releases of {c} behind a canary with automated per-endpoint error analysis",
    "latency-regression": "Add latency to the canary analysis of {c} and alert on p99 per version",
    "memory-leak": "Find and fix the leak in {c}; alert on memory growth per replica before OOM",
    "traffic-spike": "Rate-limit and shed load at the edge in front of {c}; review capacity headroom",
    "dependency-outage": "Give callers of {c} tight timeouts, a circuit breaker and a fallback",
    "cache-flush": "Protect the store behind {c} on a cold cache (request coalescing, warm-up)",
    "expensive-flag": "Load-test flag paths on {c} before ramping; document the kill switch",
}
EVENT_KINDS = ("deploy", "rollback", "flag", "config", "oom", "restart", "autoscale", "breaker")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def timeline(a: Assessment, d: dict[str, Any]) -> list[dict[str, Any]]:
    """The incident's events and the responder's actions, merged in time order."""
    s = a.player
    assert s.sim is not None
    lo = a.player.onset - 1800.0
    hi = a.horizon_tick * s.sim.dt
    rows: list[dict[str, Any]] = []
    for e in s.sim.events:
        if e.actor == "player" or not lo <= e.time < hi or e.kind not in EVENT_KINDS:
            continue
        rows.append(
            {"time": e.time, "who": e.actor, "what": f"{e.component}: {e.kind} {e.message}"}
        )
    rows.append({"time": a.player.onset, "who": "-", "what": "impact begins (SLIs degrade)"})
    rows.append({"time": s.start_time, "who": "pager", "what": "the on-call engineer is paged"})
    for act in d["player_path"]:
        what = act["text"] + (f" ({act['result']})" if act.get("result") else "")
        rows.append({"time": act["time"], "who": "on-call", "what": what})
    rec = a.recovery["player"]
    if rec.at_tick is not None and rec.at_tick > a.page_tick:
        rows.append(
            {"time": rec.at_tick * s.sim.dt, "who": "-", "what": "SLIs back within objectives"}
        )
    rows.sort(key=lambda r: (r["time"], r["who"] != "-"))
    for r in rows:
        r["clock"] = s.clock(r["time"])
    return rows


def _went_well(a: Assessment, d: dict[str, Any]) -> tuple[list[str], list[str]]:
    sc = a.score
    good, bad = [], []
    t = sc.part("time").data
    if t["held"] and not t["symptom_hiding"]:
        good.append(
            f"Impact was mitigated {figures.minutes(t['player_s'])} after the page and stayed so."
        )
    elif t["symptom_hiding"]:
        bad.append("The symptoms went away but the root cause was still active at the end.")
    else:
        bad.append("The SLIs did not recover, or relapsed after the last action.")
    diag = sc.part("diagnosis").data
    if diag.get("verdicts") and diag["verdicts"][0] == "exact":
        good.append("The root cause was identified correctly.")
    elif diag.get("declared"):
        bad.append("The declared root cause was not the real one.")
    else:
        bad.append("No root cause was declared during the incident.")
    seen = [s for s in d["signals"] if s["looked_at"]]
    missed = [s for s in d["signals"] if not s["looked_at"]]
    if seen:
        good.append(
            f"{len(seen)} of {len(d['signals'])} signals pointing to the cause were examined."
        )
    for s in missed:
        bad.append(f"A signal was not examined: {s['signal']}.")
    unrelated = [p for p in d["player_path"] if p.get("role") == "not related to the cause"]
    coll = sc.part("collateral").data
    if coll["player"] > coll["reference"] + 1e-6:
        bad.append(
            f"Actions taken during the response burned {figures.percent(coll['player'])} of the error "
            "budgets on their own."
        )
    elif not unrelated:
        good.append("No action made things worse.")
    for p in unrelated:
        bad.append(f"`{p['text']}` did not address the cause ({p['result']}).")
    if sc.part("investigation").data["query_s"] <= 300:
        good.append("The investigation was quick and focused.")
    return good, bad


def _actions(a: Assessment, d: dict[str, Any]) -> list[list[str]]:
    sc = a.scenario
    rc = sc.truth.root_cause
    team = "on-call"
    if rc.component is not None:
        team = sc.component(rc.component).team or rc.component
    items: list[list[str]] = []
    if rc.kind in PREVENT:
        items.append(["prevent", PREVENT[rc.kind].format(c=rc.component or rc.artefact), team])
    for factor in sc.truth.contributing:
        items.append(["mitigate", f"Address: {factor}", team])
    for s in d["signals"]:
        if not s["looked_at"]:
            items.append(
                ["detect", f"Put this signal on the on-call dashboard: {s['signal']}", "on-call"]
            )
    detect = a.player.start_time - a.player.onset
    if detect > 600:
        items.append(
            [
                "detect",
                f"Alert sooner: the page came {figures.minutes(detect)} after the impact began",
                "on-call",
            ]
        )
    items.append(
        ["process", "Add the reference mitigations of this incident to the runbook", "on-call"]
    )
    return items


ALIKE = 0.1
"""Tenants whose budget burned within this share of each other were hit alike."""


def _worst_hit(tenants: dict[str, float]) -> str:
    """Which tenant burned the largest share of its own budget (the share the SLO's
    "error budget burned" shows), or that all were hit alike."""
    if not tenants or max(tenants.values()) < 5e-4:
        return "-"
    name, worst = max(tenants.items(), key=lambda kv: (kv[1], kv[0]))
    if worst - min(tenants.values()) <= ALIKE * worst:
        return "all tenants alike"
    return f"tenant {name}"


def impact_table(a: Assessment) -> tuple[list[str], list[list[str]]]:
    """The Impact section's table: per SLO, the budget burned, the requests it failed, its
    worst minute and, with several tenants, the tenant hit hardest."""
    s = a.player
    assert s.sim is not None
    dt = s.sim.dt
    lo, hi = a.onset_tick, a.horizon_tick
    slo = a.score.part("slo").data
    pops = a.pops["player"]
    fleet = {p.slo: p for p in pops if p.tenant is None}
    tenants = impact.tenant_burns(pops, lo, hi)
    head = ["SLO", "target", "error budget burned", "requests failed or slow", "worst minute"]
    if tenants:
        head.append("worst hit")
    rows = []
    for name, runs in slo["per_slo"].items():
        p = fleet[name]
        low = impact.lowest_sli(p, lo, hi, step=max(int(round(60 / dt)), 1))
        worst_minute = "-"
        if low is not None and low[1] < 1.0:
            worst_minute = f"{figures.sli(low[1])} at {s.clock(low[0] * dt)}"
        row = [
            name,
            figures.target(p.target),
            figures.percent(runs["player"]),
            f"{float(p.bad[lo:hi].sum()):,.0f}",
            worst_minute,
        ]
        if tenants:
            row.append(_worst_hit(tenants.get(name, {})))
        rows.append(row)
    return head, rows


def build_postmortem(a: Assessment, run_id: int | None = None) -> str:
    """The postmortem of a scored game, as Markdown."""
    d = build_debrief(a)
    sc, s = a.scenario, a.player
    assert s.sim is not None
    dt = s.sim.dt
    rec = a.recovery["player"]
    end = rec.at_tick * dt if rec.at_tick is not None else a.horizon_tick * dt
    lines = [f"# Postmortem: {sc.title}", ""]
    where = f"run {run_id}, " if run_id is not None else ""
    lines += [
        f"*Blameless postmortem. {where}scenario `{sc.id}`, seed {s.seed}; "
        f"score {figures.score_line(a.score.total, a.score.grade)}.*",
        "",
        "## Summary",
        "",
        d["summary"] or sc.summary.strip(),
        "",
        "## Impact",
        "",
        f"Impact lasted {figures.minutes(max(end - s.onset, 0.0))} "
        f"({s.clock(s.onset)} to {s.clock(end)}"
        f"{'' if rec.at_tick is not None else ', still ongoing at the end of the run'}).",
        "",
    ]
    lines += _table(*impact_table(a))
    detect = s.start_time - s.onset
    lines += [
        "",
        "## Detection",
        "",
        f"The impact began at {s.clock(s.onset)}; the on-call engineer was paged at "
        f"{s.clock(s.start_time)}, {figures.minutes(detect)} later, by "
        + ("a scheduled page." if sc.page_at is not None else "a multi-window burn-rate alert."),
        "",
        "## Timeline",
        "",
        f"The on-call engineer took {figures.plural(len(d['player_path']), 'action')} "
        f"between the page at {s.clock(s.start_time)} and the end at {d['ended']['clock']} "
        f"({d['ended']['reason']}).",
        "",
    ]
    lines += _table(
        ["time", "who", "what"], [[r["clock"], r["who"], r["what"]] for r in timeline(a, d)]
    )
    rc = sc.truth.root_cause
    lines += ["", "## Root cause and contributing factors", ""]
    if rc.component and rc.artefact:
        where = f"**{rc.component}** (every component built from **{rc.artefact}**)"
    else:
        where = f"**{rc.component or rc.artefact or 'no component'}**"
    lines.append(f"Root cause: **{rc.kind}** in {where}.")
    lines.append("")
    for step in d["causal_chain"]:
        when = f"{step['clock']} " if step["clock"] else ""
        lines.append(f"1. {when}{step['component']}: {step['what']}")
    if sc.truth.contributing:
        lines += ["", "Contributing factors:", ""]
        lines += [f"- {c}" for c in sc.truth.contributing]
    if sc.truth.red_herrings:
        lines += ["", "Ruled out (real changes that did not cause this):", ""]
        lines += [f"- {h['ref']}: {h['why']}" for h in d["red_herrings"]]
    good, bad = _went_well(a, d)
    lines += ["", "## What went well", ""]
    lines += [f"- {g}" for g in good] or ["- (nothing stood out)"]
    lines += ["", "## What did not go well", ""]
    lines += [f"- {b}" for b in bad] or ["- (nothing stood out)"]
    lines += ["", "## Action items", ""]
    lines += _table(["kind", "action", "owner"], _actions(a, d))
    lines.append("")
    return "\n".join(lines)
