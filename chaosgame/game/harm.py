"""Harm beyond availability: data exposed, money lost, capacity cost and wrong answers.

A scenario with a ``harm`` section (``chaosgame.scenario.harm``) says what else is at stake
besides its error budgets. Every run (the player's, the reference's and doing nothing's) is
measured from its history over the same stretch as the SLO part:

* **confidentiality**: an exposure counts the ticks on which its fault acts and, when it names
  a journey, that journey still answers requests (more than :data:`ANSWERED_SHARE` of them):
  taking the journey down, or ending the fault (rotating a secret, rolling back), closes it.
  Its *exposed requests* are the journey's answered requests on those ticks;
* **money**: for each journey the scenario prices, ``per_request`` x its failed and wrong
  requests, plus ``per_minute`` x the minutes it failed entirely (each tick counts the share
  of its requests that failed or were wrong), plus ``feature.value`` x the requests that
  needed a flag-gated feature the flag no longer gave them (``engine/flag_features.py``);
* **cost**, in every scenario: replica-seconds above the starting fleet (each component's
  desired replicas above its count at the first tick, a Pending replica included) x the
  replica-hour price of its kind / 3600, plus node-seconds of the nodes ``add-nodes``
  launched x ``per_node_hour`` / 3600 (``scenario.harm.CapacityCost``: the defaults, or the
  scenario's ``harm.cost``). It is self-inflicted, so where the scenario prices it
  (``harm.cost``) it counts in the collateral part: the extra spend beyond the reference's,
  over ``allowance``, is taken from the collateral fraction. Elsewhere the debrief shows it
  when the player spent;
* **correctness** and **availability**: wrong answers and failed requests per journey, shown
  apart (a refused, shed or rate-limited request failed; it is never a wrong answer).

Confidentiality and money make the *harm* part, worth :data:`WEIGHT` points; the other parts
make room for it as they do for communication. The confidentiality fraction loses a share for
every minute data stayed exposed beyond the reference's exposure (``exposure_allowance`` more
costs it all); the money fraction is the share of the loss the reference avoided that the
player avoided too (the SLO part's rule). The part is their mean. A scenario without ``harm`` has no such part and scores exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.costs import added_nodes
from chaosgame.engine.grading import is_symptom_hiding
from chaosgame.engine.world import F64
from chaosgame.game import details, figures
from chaosgame.scenario.actions import MitigationBase, Scale, ShedLoad
from chaosgame.scenario.harm import DEFAULT_COST, CapacityCost, HarmSettings
from chaosgame.scenario.mitigation_kinds import RateLimit

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.game.scoring import Part
    from chaosgame.scenario.model import Scenario

WEIGHT = 10.0
"""Points of the harm part, in scenarios that put data or money at stake."""
ANSWERED_SHARE = 0.001
"""A journey that answers at most this share of its requests is down: it exposes nothing."""
MIN_SPAN_SHARE = 0.1
"""A measure's span is at least this share of the larger of the reference's and doing
nothing's harm (when the reference avoids little of it, or causes more)."""
RUNS = ("player", "reference", "nothing")
SHOWN_COST = 0.01
"""Capacity spend (in the scenario's currency) from which the debrief shows it unasked."""

Series = dict[str, F64]
"""One run's per-tick harm series, by name (``exposed:0``, ``failed:checkout``...)."""


def scored(sc: Scenario) -> bool:
    """Whether the scenario scores a harm part (it puts data or money at stake)."""
    return sc.harm is not None and bool(sc.harm.exposures or sc.harm.money)


def weights(sc: Scenario, base: dict[str, float]) -> dict[str, float]:
    """The weights of the other parts: ``base`` itself, or scaled to make room for this one
    (``base`` may already have made room for communication)."""
    if not scored(sc):
        return base
    room = sum(base.values())
    share = (room - WEIGHT) / room
    return {k: v * share for k, v in base.items()}


# ------------------------------------------------------------------ per-tick series
def series(sim: Simulator) -> Series:
    """The per-tick harm series of a run (every scenario's: capacity cost is always measured)."""
    sc = sim.scenario
    h, w, dt = sim.history, sim.world, sim.dt
    t = h.ticks
    j = h.journey
    rate = j["rate"][:t].astype(np.float64) * dt
    err = j["errors"][:t].astype(np.float64)
    wrong = (1.0 - err) * j["wrong"][:t].astype(np.float64)
    out: Series = {}
    for ji, name in enumerate(w.journeys):
        mask = w.class_journey == ji
        out[f"total:{name}"] = rate[:, mask].sum(1)
        out[f"failed:{name}"] = (rate * err)[:, mask].sum(1)
        out[f"wrong:{name}"] = (rate * wrong)[:, mask].sum(1)
    for n, e in enumerate(sc.harm.exposures if sc.harm is not None else ()):
        acting = np.zeros(t)
        for pos in sim.activity.watched:
            spec = sim.faults[pos].spec
            if spec.kind == e.fault and e.target in (None, spec.target):
                ticks = np.frombuffer(bytes(sim.activity.ticks[pos]), dtype=np.uint8)[:t]
                acting[: ticks.size] = np.maximum(acting[: ticks.size], ticks)
        if e.journey is None:
            out[f"exposed:{n}"] = acting
            out[f"leaked:{n}"] = np.zeros(t)
        else:
            total = out[f"total:{e.journey}"]
            answered = total - out[f"failed:{e.journey}"]
            up = answered > ANSWERED_SHARE * np.maximum(total, 1e-12)
            out[f"exposed:{n}"] = acting * up
            out[f"leaked:{n}"] = acting * up * answered
    out["feature_money"] = _feature_money(sim, t)
    desired = h.comp["desired"][:t].astype(np.float64)
    start = desired[0] if t else np.zeros(w.n)
    extra = np.maximum(desired - start, 0.0)
    prices = cost_settings(sc)
    per_hour = np.array([prices.price(c.kind) for c in sc.components])
    out["extra_replicas"] = extra.sum(1)
    out["replica_spend"] = extra @ per_hour  # money per hour, tick by tick
    out["extra_nodes"] = added_nodes(sim, t)
    return out


def _feature_money(sim: Simulator, t: int) -> F64:
    """Per tick: what the requests that lost a flag-gated feature cost (``feature.value``
    each; ``engine/flag_features.py``)."""
    from chaosgame.telemetry.features import requests

    out = np.zeros(t)
    feats = sim.features
    if feats is None:
        return out
    for g, gate in enumerate(feats.gated):
        if gate.feature.value > 0:
            out += gate.feature.value * requests(sim, g, t, "no") * sim.dt
    return out


def cost_settings(sc: Scenario) -> CapacityCost:
    """The scenario's prices of capacity: its ``harm.cost``, else the defaults."""
    if sc.harm is not None and sc.harm.cost is not None:
        return sc.harm.cost
    return DEFAULT_COST


# ------------------------------------------------------------------------ measures
def measures(sc: Scenario, s: Series, lo: int, hi: int, dt: float) -> dict[str, Any]:
    """One run's harm over ticks ``[lo, hi)``: exposure, money, cost, failed and wrong (the
    cost of every scenario; exposure and money where its ``harm`` section prices them)."""
    h = sc.harm if sc.harm is not None else HarmSettings()

    def total(name: str) -> float:
        return float(s[name][lo:hi].sum())

    exposures: list[dict[str, Any]] = [
        {
            "what": e.what or f"data exposed by {e.fault}",
            "minutes": round(total(f"exposed:{n}") * dt / 60.0, 6),
            "requests": round(total(f"leaked:{n}"), 3),
        }
        for n, e in enumerate(h.exposures)
    ]
    money = 0.0
    for m in h.money:
        bad = s[f"failed:{m.journey}"][lo:hi] + s[f"wrong:{m.journey}"][lo:hi]
        requests = s[f"total:{m.journey}"][lo:hi]
        share = np.where(requests > 0, bad / np.maximum(requests, 1e-12), 0.0)
        money += m.per_request * float(bad.sum()) + m.per_minute * float(share.sum()) * dt / 60
    money += total("feature_money") if "feature_money" in s else 0.0
    replica_s = total("extra_replicas") * dt
    node_s = total("extra_nodes") * dt if "extra_nodes" in s else 0.0
    if "replica_spend" in s:
        spend = total("replica_spend") * dt / 3600.0
    else:  # a series recorded before prices by kind: one price for every replica
        spend = replica_s / 3600.0 * cost_settings(sc).price("service")
    cost = spend + node_s / 3600.0 * cost_settings(sc).per_node_hour
    names = [k.removeprefix("total:") for k in s if k.startswith("total:")]
    return {
        "exposure_min": round(sum(float(e["minutes"]) for e in exposures), 6),
        "exposures": exposures,
        "money": round(money, 2),
        "cost": round(cost, 2),
        "extra_replica_s": round(replica_s, 3),
        "extra_node_s": round(node_s, 3),
        "failed": {n: round(total(f"failed:{n}"), 1) for n in names},
        "wrong": {n: round(total(f"wrong:{n}"), 1) for n in names},
    }


def fraction(player: float, reference: float, nothing: float) -> float:
    """The share of the harm the reference avoided that the player avoided too (1 when the
    player did no worse than the reference)."""
    span = max(nothing - reference, MIN_SPAN_SHARE * max(nothing, reference), 1e-9)
    return min(max(1.0 - (player - reference) / span, 0.0), 1.0)


def exposure_fraction(more_s: float, allowance_s: float) -> float:
    """The confidentiality fraction: data exposed ``more_s`` seconds longer than in the
    reference run, on a fixed scale (``allowance_s`` longer costs it all): every minute of
    exposure matters, however long doing nothing would have leaked."""
    return min(max(1.0 - max(more_s, 0.0) / allowance_s, 0.0), 1.0)


def collateral_fraction(sc: Scenario, base: float, cost_player: float, cost_ref: float) -> float:
    """The collateral fraction with capacity cost, in every scenario: the extra spend beyond
    the reference's, over the ``allowance`` (the scenario's ``harm.cost``, else the default
    prices and allowance), is taken from ``base``."""
    excess = max(cost_player - cost_ref, 0.0)
    return min(max(base - excess / cost_settings(sc).allowance, 0.0), 1.0)


def money_text(sc: Scenario, amount: float) -> str:
    """An amount in the scenario's currency: ``$1,240``."""
    cur = sc.harm.currency if sc.harm is not None else "$"
    return f"{cur}{amount:,.0f}"


def spend_text(cur: str, amount: float) -> str:
    """A capacity spend: ``$1,240``, with cents below 100 (``$2.40``: default prices are
    cents per replica-hour)."""
    return f"{cur}{amount:,.2f}" if abs(amount) < 100 else f"{cur}{amount:,.0f}"


def part(
    sc: Scenario, runs: dict[str, dict[str, Any]], outcome_gate: float, real: bool = False
) -> Part | None:
    """The harm part from the three runs' :func:`measures` (None when not scored); ``real``:
    whether the SLOs had harm to avoid (it says why ``outcome_gate`` scales the part)."""
    from chaosgame.game.scoring import Part

    if not scored(sc) or sc.harm is None:
        return None
    h = sc.harm
    keys = (["exposure_min"] if h.exposures else []) + (["money"] if h.money else [])
    fractions = {k: fraction(*(float(runs[name][k]) for name in RUNS)) for k in keys}
    if h.exposures:
        more = float(runs["player"]["exposure_min"]) - float(runs["reference"]["exposure_min"])
        fractions["exposure_min"] = exposure_fraction(more * 60.0, h.exposure_allowance)
    frac = sum(fractions.values()) / len(fractions)
    got = round(WEIGHT * frac * outcome_gate, 2)
    facts, causes = [], []
    p, r, n = (runs[name] for name in RUNS)
    if h.exposures:
        facts.append(
            f"data exposed {figures.minutes(p['exposure_min'] * 60)} (reference "
            f"{figures.minutes(r['exposure_min'] * 60)}, doing nothing "
            f"{figures.minutes(n['exposure_min'] * 60)})"
        )
        if fractions["exposure_min"] < 1.0 - 1e-9:
            more_text = figures.minutes((p["exposure_min"] - r["exposure_min"]) * 60)
            causes.append(
                f"data stayed exposed {more_text} longer than with the reference "
                f"({figures.minutes(h.exposure_allowance)} longer costs the whole share)"
            )
    if h.money:
        facts.append(
            f"{money_text(sc, p['money'])} of orders lost or wrong (reference "
            f"{money_text(sc, r['money'])}, doing nothing {money_text(sc, n['money'])})"
        )
        if fractions["money"] < 1.0 - 1e-9:
            causes.append(f"{money_text(sc, p['money'] - r['money'])} more lost than the reference")
    gated = details.no_harm_cause(outcome_gate, real)
    if gated:
        causes.append(gated)
    detail = details.with_losses("; ".join(facts), got, WEIGHT, causes)
    data = {
        "fractions": {k: round(v, 6) for k, v in fractions.items()},
        "fraction": round(frac, 6),
        "gate": round(outcome_gate, 6),
        "currency": h.currency,
        **{name: runs[name] for name in RUNS},
    }
    return Part("harm", "Harm beyond SLOs", got, WEIGHT, detail, data)


# --------------------------------------------------------- taking a service down
def takedown(sc: Scenario, spec: MitigationBase) -> bool:
    """Whether ``spec`` takes down a component the scenario lets the player take down to
    protect data (scaling it to zero, shedding or rate-limiting all of its traffic)."""
    if sc.harm is None or spec.target not in sc.harm.takedown:
        return False
    if isinstance(spec, Scale):
        return spec.replicas == 0
    if isinstance(spec, ShedLoad | RateLimit):
        return spec.fraction >= 0.99
    return False


def hiding(sc: Scenario) -> Callable[[MitigationBase], bool]:
    """Which applied mitigations hide symptoms in this scenario: the engine's rule, except a
    takedown the scenario allows (:func:`takedown`), which protects data."""
    if sc.harm is None or not sc.harm.takedown:
        return is_symptom_hiding
    return lambda spec: is_symptom_hiding(spec) and not takedown(sc, spec)


def priced(sc: Scenario) -> bool:
    """Whether the scenario prices capacity itself (``harm.cost``): the score reads it then."""
    return sc.harm is not None and sc.harm.cost is not None


def _shown(sc: Scenario, runs: dict[str, dict[str, Any]]) -> bool:
    """Whether the debrief shows capacity cost: the scenario prices it, or the player spent."""
    return priced(sc) or float(runs["player"].get("cost", 0.0)) >= SHOWN_COST


def cost_data(sc: Scenario, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the collateral part's data keeps of capacity cost (nothing when the scenario does
    not price it and the player spent nothing on capacity)."""
    if not _shown(sc, runs):
        return {}
    cur = sc.harm.currency if sc.harm is not None else "$"
    return {"cost": {k: v["cost"] for k, v in runs.items()}, "currency": cur}


def cost_text(sc: Scenario, runs: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """What extra capacity cost in the player's run, and (when it cost collateral points) why:
    ``("", "")`` when it is not shown (:func:`cost_data`)."""
    if not _shown(sc, runs):
        return "", ""
    p, r = runs["player"], runs["reference"]
    cur = sc.harm.currency if sc.harm is not None else "$"
    nodes = float(p.get("extra_node_s", 0.0)) / 3600
    node_text = f", {nodes:.1f} node-hours" if nodes > 0 else ""
    facts = (
        f"extra capacity cost {spend_text(cur, p['cost'])} "
        f"({p['extra_replica_s'] / 3600:.1f} replica-hours{node_text}; the reference "
        f"{spend_text(cur, r['cost'])})"
    )
    excess = p["cost"] - r["cost"]
    cause = (
        f"you spent {spend_text(cur, excess)} more on capacity than the reference "
        f"({money_text(sc, cost_settings(sc).allowance)} more costs the whole part)"
        if excess > 0.005
        else ""
    )
    return facts, cause


# ------------------------------------------------------------------------ the debrief
RUN_WORDS = (("player", "you"), ("reference", "reference"), ("nothing", "doing nothing"))


def _runs(values: dict[str, str]) -> str:
    return ", ".join(f"{label} {values[k]}" for k, label in RUN_WORDS)


def debrief_rows(score: dict[str, Any]) -> list[dict[str, str]]:
    """The debrief's rows on harm beyond availability, from a score's plain data: data exposed,
    money, capacity cost, failed requests and wrong answers, each run apart (no rows for a
    scenario without ``harm``)."""
    from chaosgame.game.debrief_text import row

    parts = {p["key"]: p for p in score["parts"]}
    data = parts["harm"]["data"] if "harm" in parts else None
    collateral = parts.get("collateral", {}).get("data", {})
    cost = collateral.get("cost")
    if data is None and cost is None:
        return []
    cur = str(collateral.get("currency") or (data or {}).get("currency", ""))
    rows = []
    if data is not None:
        for n, e in enumerate(data["player"]["exposures"]):
            per = {k: figures.minutes(float(data[k]["exposures"][n]["minutes"]) * 60) for k in RUNS}
            leaked = data["player"]["exposures"][n]["requests"]
            extra = f"; {leaked:,.0f} requests answered while exposed in your run" if leaked else ""
            rows.append(row(f"{e['what']}: {_runs(per)}{extra}", "Data exposed: "))
        if "money" in data["fractions"]:
            per = {k: f"{cur}{float(data[k]['money']):,.0f}" for k in RUNS}
            rows.append(row(_runs(per), "Orders lost or wrong: "))
        for label, key in (("Failed requests", "failed"), ("Wrong answers", "wrong")):
            for journey in data["player"][key]:
                per = {k: f"{float(data[k][key][journey]):,.0f}" for k in RUNS}
                if any(float(data[k][key][journey]) >= 0.5 for k in RUNS):
                    rows.append(row(_runs(per), f"{label} ({journey}): "))
    if cost is not None:
        per = {k: spend_text(cur, float(cost[k])) for k in RUNS}
        rows.append(row(_runs(per), "Extra capacity cost: "))
    return rows
