"""The one-line detail of each score part: what was measured and, when points were lost,
what cost them.

:mod:`chaosgame.game.scoring` computes the numbers; these functions only put them in words.
A part that earned all its points states its measurement; one that fell short ends with
``lost N: ...`` naming every cause (its own shortfall, and the gate that scales it when the
player neither protected the SLOs nor named the cause).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chaosgame.game import figures

VERDICT_WORDS = {
    "exact": "the exact root cause",
    "component": "the right component but the wrong kind of fault",
    "symptom": "the right kind of fault on a component that only showed symptoms",
    "wrong": "not the root cause",
}
ACCURACY_WHY = {
    "component": "the right component with the wrong kind of fault earns half the credit",
    "symptom": "a component that only showed symptoms earns a third of the credit",
    "wrong": "no hypothesis named the root cause",
}


def with_losses(facts: str, got: float, top: float, causes: Sequence[str]) -> str:
    """``facts``, then ``; lost N: cause; cause`` when the part fell short of ``top``."""
    shortfall = figures.shortfall(got, top)
    if shortfall is None:
        return facts
    why = "; ".join(causes) or "the part's fraction was below 1"
    return f"{facts}; lost {shortfall}: {why}"


def gate_cause(gate: float, slo: float, diagnosis: float, harm_to_avoid: bool) -> str | None:
    """Why collateral and investigation count only in part (None when they count fully)."""
    if gate >= 1.0 - 1e-9:
        return None
    if not harm_to_avoid:
        return (
            f"scaled to {figures.percent(gate)}, your diagnosis (with no harm to avoid, "
            "keeping the SLOs opens no credit here)"
        )
    return (
        f"scaled to {figures.percent(gate)}, the better of your SLO result "
        f"({figures.percent(slo)}) and your diagnosis ({figures.percent(diagnosis)})"
    )


def no_harm_cause(outcome_gate: float, harm_to_avoid: bool = False) -> str | None:
    """Why the SLO and time parts count only in part: no harm to avoid (they rest on the
    diagnosis), or a fix whose cause the player did not name (half, plus half the diagnosis)."""
    if outcome_gate >= 1.0 - 1e-9:
        return None
    if harm_to_avoid:
        return (
            "the outcome counts in full only with its cause named: scaled to "
            f"{figures.percent(outcome_gate)} (half, plus half your diagnosis)"
        )
    return (
        "there was no harm to avoid (the reference did no better than doing nothing), so the "
        f"part is scaled to {figures.percent(outcome_gate)}, your diagnosis"
    )


def slo(
    burned: dict[str, float],
    fraction: float,
    span: float,
    outcome_gate: float,
    got: float,
    top: float,
    harm_to_avoid: bool = False,
) -> str:
    """The SLO impact part."""
    b = burned
    facts = (
        f"burned {figures.percent(b['player'])} of the error budgets "
        f"(reference {figures.percent(b['reference'])}, "
        f"doing nothing {figures.percent(b['nothing'])})"
    )
    causes = []
    if fraction < 1.0 - 1e-9:
        more = max(b["player"] - b["reference"], 0.0)
        causes.append(
            f"you burned {figures.percent(more)} more than the reference, which saved "
            f"{figures.percent(span)} over doing nothing"
        )
    gated = no_harm_cause(outcome_gate, harm_to_avoid)
    if gated:
        causes.append(gated)
    return with_losses(facts, got, top, causes)


def diagnosis(
    diag: dict[str, Any], hypotheses: Sequence[dict[str, Any]], got: float, top: float
) -> str:
    """The diagnosis part: the first hypothesis's verdict and what cost points."""
    if not diag["declared"]:
        return with_losses(
            "no root cause declared", got, top, ["only a declared root cause earns points"]
        )
    verdicts: list[str] = list(diag["verdicts"])
    facts = (
        f"first hypothesis: {VERDICT_WORDS[verdicts[0]]}; "
        f"calibration {float(diag['calibration']):.2f}"
    )
    causes = []
    if float(diag["accuracy"]) < 1.0 - 1e-9:
        if "exact" in verdicts:
            rank = verdicts.index("exact") + 1
            causes.append(f"the exact cause was only hypothesis {rank}, which earns less")
        else:
            best = next((v for v in ("component", "symptom") if v in verdicts), "wrong")
            causes.append(ACCURACY_WHY[best])
    if float(diag["calibration"]) < 1.0 - 5e-3:
        sure = ", ".join(
            f"{figures.percent(float(h.get('confidence', 1.0)))} on "
            f"{h.get('kind')} in {h.get('component') or '(none)'}"
            for h in hypotheses
        )
        causes.append(f"your confidence ({sure}) did not match what was true")
    if not diag.get("informed", True):
        causes.append(
            "you declared it before any query looked at the causal chain or at the component "
            "you named: a guess keeps half the points"
        )
    return with_losses(facts, got, top, causes)


def time(
    t_player: float | None,
    t_ref: float | None,
    t_nothing: float,
    grace: float,
    *,
    hiding: bool,
    broken: bool,
    outcome_gate: float,
    got: float,
    top: float,
    harm_to_avoid: bool = False,
) -> str:
    """The time-to-mitigate part."""
    reference = "never recovered" if t_ref is None else figures.minutes(t_ref)
    if t_player is None:
        facts = "the SLOs did not recover and stay recovered"
        if t_ref is None:
            facts += " (the reference never recovered either)"
    else:
        facts = f"recovered {figures.minutes(t_player)} after the page (reference {reference})"
    causes = []
    if hiding:
        causes.append("the symptoms were hidden, not fixed: the cause still acted at the end")
    elif broken:
        causes.append("the system was not left whole (lost writes, dropped traffic or no replicas)")
    elif t_player is None and t_ref is None:
        causes.append("no run can recover within the window, so the part follows your SLO result")
    elif t_player is None:
        causes.append("no recovery lasted 5 min before the end of the settled run")
    elif t_ref is not None and t_player > t_ref + grace:
        causes.append(
            f"more than {figures.minutes(grace)} behind the reference: full credit until "
            f"{figures.minutes(t_ref + grace)}, none at doing nothing's "
            f"{figures.minutes(t_nothing)}"
        )
    gated = no_harm_cause(outcome_gate, harm_to_avoid)
    if gated:
        causes.append(gated)
    return with_losses(facts, got, top, causes)


def collateral(
    c_player: float,
    c_ref: float,
    allowed: float,
    gate: str | None,
    got: float,
    top: float,
    cost: Sequence[str] = ("", ""),
    unneeded: Sequence[str] = (),
    risk_share: float = 0.0,
) -> str:
    """The collateral part; ``allowed`` is the excess harm that costs the whole part;
    ``cost`` what extra capacity cost and, when it cost points, why (``harm.cost_text``);
    ``unneeded`` the changes made that the incident did not call for, each costing
    ``risk_share`` of the part."""
    facts = (
        f"your actions burned {figures.percent(c_player)} of the budgets on their own "
        f"(the reference {figures.percent(c_ref)})"
    ) + (f"; {cost[0]}" if cost[0] else "")
    causes = [cost[1]] if cost[1] else []
    excess = c_player - c_ref
    if excess > 1e-9:
        causes.append(
            f"your actions did {figures.percent(excess)} more harm than the reference's "
            f"({figures.percent(allowed)} more costs the whole part)"
        )
    if unneeded:
        shown = ", ".join(unneeded[:4]) + (
            f" and {len(unneeded) - 4} more" if len(unneeded) > 4 else ""
        )
        causes.append(
            f"{len(unneeded)} change{'s' if len(unneeded) != 1 else ''} neither in the reference "
            f"solution nor aimed at the causal chain ({shown}): each unneeded change during an "
            f"incident is risk and costs {figures.percent(risk_share)} of the part"
        )
    if gate:
        causes.append(gate)
    return with_losses(facts, got, top, causes)


def investigation(
    query_s: float,
    free_s: float,
    zero_s: float,
    gate: str | None,
    got: float,
    top: float,
    evidence: bool = True,
) -> str:
    """The investigation part; ``evidence`` says whether the queries before the declaration
    reached the causal chain (only then does investigating earn points)."""
    facts = f"{query_s:g} s of simulated time on queries ({free_s:g} s are free)"
    causes = []
    if not evidence:
        causes.append(
            "no query before your declaration looked at a component of the causal chain: "
            "investigating earns points only when it reaches the evidence"
        )
    if query_s > free_s:
        causes.append(
            f"{query_s - free_s:g} s beyond the free {free_s:g} s "
            f"({zero_s:g} s beyond costs the whole part)"
        )
    if gate:
        causes.append(gate)
    return with_losses(facts, got, top, causes)
