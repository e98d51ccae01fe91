"""The score of a game: 0 to 100 and a letter, from the hidden truth and the SLO damage.

The formula is documented in ``docs/scoring.md``; the constants below are the ones it names.
Every part compares the player with two runs of the same scenario and seed: the *ideal run*
(the scenario's reference solution applied the second the page fires, with no time spent
looking: a bound no player reaches, called "the reference" in the parts' details) and *doing
nothing*. A player who beats the ideal run earns the whole part; the reference player of
:mod:`chaosgame.game.strategies`, who looks at the evidence before acting, does not score 100
by construction. After the player stops, every run goes on for ``SETTLE_S``
simulated seconds, so a fix that does not hold is caught.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field
from typing import Any

from chaosgame.engine.grading import Outcome, evaluate
from chaosgame.game import comms, details, harm, impact, players, trail
from chaosgame.game.baselines import (
    BaselineStore,
    Comparison,
    RunSummary,
    comparison,
    remember,
    root_fault_strength,
    store_for,
)
from chaosgame.game.diagnosis import (
    ACCURACY_SHARE,
    CREDIT,
    GUESS_SHARE,
    RANK_WEIGHT,
    brier,
    diagnosis,
    judge,
)
from chaosgame.game.players import baselines, play
from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario

__all__ = [
    "ACCURACY_SHARE",
    "CREDIT",
    "GUESS_SHARE",
    "RANK_WEIGHT",
    "Assessment",
    "Part",
    "Score",
    "assess",
    "baselines",
    "brier",
    "collateral_fraction",
    "diagnosis",
    "gates",
    "grade",
    "investigation_fraction",
    "judge",
    "play",
    "points",
    "query_time",
    "root_fault_strength",
    "score_session",
    "slo_fraction",
    "time_fraction",
    "total",
]

FORMULA = 2
"""Version of the formula; stored with every run record (1: before evidence, guesses, lucky
fixes and unneeded changes counted)."""
SETTLE_S = players.SETTLE_S
"""Simulated seconds every run goes on after the player stops."""
WEIGHTS = {"slo": 40.0, "diagnosis": 25.0, "time": 15.0, "collateral": 10.0, "investigation": 10.0}
MIN_SPAN = 0.005
"""Smallest difference in budget burned (0.5 % of a window's budget) between doing nothing and
the ideal run that counts as harm to avoid; the SLO part never divides by less."""
OUTCOME_FLOOR = 0.5
"""Share of the SLO and time parts a fix earns with no diagnosis; the rest grows with the
diagnosis fraction, so a right fix under a wrong diagnosis (a lucky fix) cannot pass alone."""
RISK_SHARE = 0.2
"""Share of the collateral part each unneeded change costs (``chaosgame.game.trail``)."""
TIME_GRACE_S = 300.0
"""Recovering this much later than the reference still earns the full time credit."""
INVESTIGATION_FREE_S = 300.0
INVESTIGATION_ZERO_S = 1500.0
"""Query time beyond the free allowance that costs the whole investigation part."""
COLLATERAL_SHARE = 0.5
"""Self-inflicted harm equal to this share of the incident's avoidable harm costs the part."""
GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"), (0.0, "F"))


@dataclass(frozen=True)
class Part:
    """One part of the score."""

    key: str
    label: str
    points: float
    max_points: float
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    """A score and its parts (plain data: ``as_dict()`` serialises to JSON)."""

    total: float
    grade: str
    parts: list[Part]
    formula: int = FORMULA

    def part(self, key: str) -> Part:
        """The part called ``key``."""
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        """Rebuild a score saved with :meth:`as_dict`."""
        parts = [Part(**p) for p in data["parts"]]
        return cls(float(data["total"]), str(data["grade"]), parts, int(data.get("formula", 1)))


def grade(total: float) -> str:
    """The letter for a total."""
    for floor, letter in GRADES:
        if total >= floor - 1e-9:
            return letter
    return "F"


def _clamp(x: float) -> float:
    return min(max(x, 0.0), 1.0)


# --------------------------------------------------------------- the parts, as numbers
def slo_fraction(b_player: float, b_ref: float, b_nothing: float) -> tuple[float, float, bool]:
    """The SLO part from the budget burned by the three runs: ``(fraction, span, real)``.

    ``span`` is the harm the reference avoided (at least :data:`MIN_SPAN`); the fraction is
    the share of it the player avoided too; ``real`` says whether there was harm to avoid.
    """
    span = max(b_nothing - b_ref, MIN_SPAN)
    fraction = _clamp(1.0 - (b_player - b_ref) / span)
    return fraction, span, b_nothing - b_ref >= MIN_SPAN


def time_fraction(
    t_player: float | None,
    t_ref: float | None,
    t_nothing: float,
    *,
    hiding: bool = False,
    broken: bool = False,
    slo: float = 0.0,
) -> float:
    """The time-to-mitigate part from the seconds between the page and a recovery that
    holds (``None``: no such recovery). Full within :data:`TIME_GRACE_S` of the reference,
    then linear down to nothing at doing nothing's time; 0 for hidden symptoms or a system
    not left whole. When the reference never recovered, any recovery of the player's earns
    the whole part; when neither recovered (a repair longer than the window), the part
    follows ``slo``, the SLO part's fraction."""
    if hiding or broken:
        return 0.0
    if t_player is None:
        return _clamp(slo) if t_ref is None else 0.0
    if t_ref is None:
        return 1.0
    if t_player <= t_ref + TIME_GRACE_S:
        return 1.0
    room = t_nothing - t_ref - TIME_GRACE_S
    return _clamp((t_nothing - t_player) / room) if room > 0 else 0.0


def collateral_fraction(c_player: float, c_ref: float, span: float) -> float:
    """The collateral part from the budget the player's own actions burned (and the
    reference's): an excess of :data:`COLLATERAL_SHARE` of the span costs it all."""
    excess = max(c_player - c_ref, 0.0)
    return _clamp(1.0 - excess / (COLLATERAL_SHARE * span))


def investigation_fraction(query_s: float, evidence: bool = True) -> float:
    """The investigation part from the simulated seconds spent on queries; nothing unless the
    queries reached the evidence (``evidence``: a component of the causal chain)."""
    if not evidence:
        return 0.0
    return _clamp(1.0 - max(query_s - INVESTIGATION_FREE_S, 0.0) / INVESTIGATION_ZERO_S)


def risk_fraction(unneeded: int) -> float:
    """What is left of the collateral part after ``unneeded`` changes (each costs
    :data:`RISK_SHARE`)."""
    return _clamp(1.0 - RISK_SHARE * unneeded)


def gates(slo: float, diagnosis: float, real: bool) -> tuple[float, float]:
    """``(gate, outcome_gate)``: what collateral and investigation are multiplied by, and
    what the SLO and time parts are multiplied by: with harm to avoid, :data:`OUTCOME_FLOOR`
    plus the rest times the diagnosis; without, the diagnosis alone."""
    gate = max(slo if real else 0.0, diagnosis)
    outcome = OUTCOME_FLOOR + (1.0 - OUTCOME_FLOOR) * diagnosis if real else diagnosis
    return gate, outcome


def points(
    fractions: dict[str, float],
    gate: float,
    outcome_gate: float,
    weights: dict[str, float] | None = None,
) -> dict[str, float]:
    """Each part's points, rounded to 0.01, from its fraction and the gates."""
    w = WEIGHTS if weights is None else weights
    raw = {
        "slo": w["slo"] * fractions["slo"] * outcome_gate,
        "diagnosis": w["diagnosis"] * fractions["diagnosis"],
        "time": w["time"] * fractions["time"] * outcome_gate,
        "collateral": w["collateral"] * fractions["collateral"] * gate,
        "investigation": w["investigation"] * fractions["investigation"] * gate,
    }
    return {k: round(v, 2) for k, v in raw.items()}


def total(parts: dict[str, float]) -> float:
    """The total of rounded part points, rounded to 0.1."""
    return round(sum(parts.values()), 1)


def query_time(session: Session) -> float:
    """Simulated seconds the player spent on queries."""
    spent = 0.0
    for i, entry in enumerate(session.actions):
        if entry["action"].get("type") != "query":
            continue
        if "cost_s" in entry:
            spent += float(entry["cost_s"])
        else:
            nxt = session.actions[i + 1]["time"] if i + 1 < len(session.actions) else session.now
            spent += float(nxt) - float(entry["time"])
    return spent


# --------------------------------------------------------------------------- the score
@dataclass
class Assessment:
    """A settled game beside its two comparison runs, and its score (the debrief reads this)."""

    scenario: Scenario
    player: Session
    base: Comparison
    """The reference and doing-nothing runs (plain data, possibly from a cache)."""
    onset_tick: int
    page_tick: int
    end_tick: int
    horizon_tick: int
    pops: dict[str, list[impact.Population]]
    recovery: dict[str, impact.Recovery]
    score: Score
    grading: Outcome | None = None


def _grading(session: Session, settle: float) -> Outcome:
    """The engine's verdict on the settled state: the one recovery judge (``chaosgame check``
    decides through it too)."""
    assert session.sim is not None
    return evaluate(
        session.sim, session.start_time, settle=settle, hiding=harm.hiding(session.scenario)
    )


def _hiding(
    verdict: Outcome | None, player: Session, reference: RunSummary, recovered: bool
) -> bool:
    """Whether the player's recovery only hid the symptoms.

    Either the engine's verdict names a symptom-hiding action (silencing an alert, shedding
    all traffic, scaling to zero), or the SLOs recovered while the root-cause fault still acts
    at the end of the settled run, where the reference solution removed it (scaling out a
    service that keeps leaking memory).
    """
    if verdict is not None and verdict.symptom_hiding:
        return True
    if not recovered:
        return False
    return root_fault_strength(player) > 0.01 and reference.root_strength <= 0.01


def _beyond(
    sc: Scenario, sim: Any, base: Comparison, onset: int, hi: int, dt: float
) -> dict[str, dict[str, Any]]:
    """Each run's harm beyond availability (:mod:`chaosgame.game.harm`); empty without it."""
    mine = harm.series(sim)
    runs = {"player": mine, "reference": base.reference.harm, "nothing": base.nothing.harm}
    if any(s is None for s in runs.values()):
        return {}
    return {name: harm.measures(sc, s, onset, hi, dt) for name, s in runs.items() if s}


def _verdict_data(verdict: Outcome | None) -> dict[str, Any] | None:
    return None if verdict is None else dict(verdict.as_dict())


_ASSESSED: weakref.WeakKeyDictionary[Session, tuple[float, Assessment]] = (
    weakref.WeakKeyDictionary()
)


def assess(
    session: Session, settle: float = SETTLE_S, store: BaselineStore | None = None
) -> Assessment:
    """Settle the game, run the comparisons and score it.

    A game still on is ended first (``Session.finish``). Assessing the same game again returns
    the same assessment: the world has already run on and is not run again. The comparison
    runs come from :func:`chaosgame.game.baselines.comparison`: memory, else ``store`` (by
    default the run records the game is saved in), else they are simulated and kept there.
    """
    sim = session.sim
    if sim is None:
        raise RuntimeError("the session was never started")
    if store is not None:
        remember(session, store)
    if not session.ended:
        return session.finish()
    done = _ASSESSED.get(session)
    if done is not None and done[0] == settle:
        return done[1]
    sc = session.scenario
    dt = sim.dt
    end = session.now
    # the engine judges the world ``settle`` seconds after the player stopped
    sim.run_until(end + settle)
    verdict = _grading(session, settle)
    # every run is compared over the same stretch: from the onset to the time limit plus the
    # settling period, so ending early neither shortens the outage nor the comparison
    horizon = session.deadline + settle
    sim.run_until(horizon)
    base = comparison(sc, session.seed, settle, store_for(session))
    onset = int(session.onset // dt)
    page = int(round(session.start_time / dt))
    end_tick = int(-(-end // dt))
    hi = int(-(-horizon // dt))
    pops = {
        "player": impact.populations(sim),
        "reference": base.reference.pops,
        "nothing": base.nothing.pops,
    }
    rec = {
        name: impact.recovery(p, page, end_tick if name == "player" else page, hi, dt)
        for name, p in pops.items()
    }
    burned = {name: impact.harm(p, onset, hi) for name, p in pops.items()}
    b = {name: sum(v.values()) for name, v in burned.items()}
    slo_frac, span, real = slo_fraction(b["player"], b["reference"], b["nothing"])

    path = trail.trail(sc, session.actions, set(sim.world.names), session.seed)
    informed = bool(session.declarations) and all(
        path.informed(h["component"], h["kind"]) for h in session.declarations[-1]["hypotheses"][:1]
    )
    diag = diagnosis(sc, session.declarations, session.seed, informed)

    def ttm(name: str) -> float | None:
        r = rec[name]
        return None if r.at_tick is None else (r.at_tick - page) * dt

    t_p, t_r = ttm("player"), ttm("reference")  # None: never recovered
    t_n = ttm("nothing")
    t_n = (hi - page) * dt if t_n is None else t_n
    hiding = _hiding(verdict, session, base.reference, rec["player"].held)
    broken = verdict is not None and not getattr(verdict, "invariants_ok", True)
    time_frac = time_fraction(t_p, t_r, t_n, hiding=hiding, broken=broken, slo=slo_frac)

    own = {
        name: impact.extra_harm(pops[name], pops["nothing"], onset, hi)
        for name in ("player", "reference")
    }
    c_p, c_r = sum(own["player"].values()), sum(own["reference"].values())
    coll_frac = collateral_fraction(c_p, c_r, span) * risk_fraction(len(path.unneeded))
    beyond = _beyond(sc, sim, base, onset, hi, dt)
    if beyond:
        coll_frac = harm.collateral_fraction(
            sc, coll_frac, beyond["player"]["cost"], beyond["reference"]["cost"]
        )

    q = query_time(session)
    no_fault = sc.truth.root_cause.kind == "no-fault"
    evidence = bool(path.evidence) or (no_fault and path.queries > 0)
    inv_frac = investigation_fraction(q, evidence)
    # With harm to avoid, keeping the SLOs is an achievement; when the reference avoids no
    # more harm than doing nothing (a false alarm, a no-fault incident), it is only a
    # precondition, and what the player earns rests on the diagnosis.
    gate, outcome_gate = gates(slo_frac, float(diag["fraction"]), real)
    w = harm.weights(sc, comms.weights(sc, WEIGHTS))
    earned = points(
        {
            "slo": slo_frac,
            "diagnosis": float(diag["fraction"]),
            "time": time_frac,
            "collateral": coll_frac,
            "investigation": inv_frac,
        },
        gate,
        outcome_gate,
        w,
    )

    worst = impact.worst_population(pops["player"], onset, hi)
    gate_why = details.gate_cause(gate, slo_frac, float(diag["fraction"]), real)
    hypotheses = session.declarations[-1]["hypotheses"] if session.declarations else []
    parts = [
        Part(
            "slo",
            "SLO impact",
            earned["slo"],
            w["slo"],
            details.slo(b, slo_frac, span, outcome_gate, earned["slo"], w["slo"], real),
            {
                "burned": {k: round(v, 6) for k, v in b.items()},
                "per_slo": {
                    name: {k: round(burned[k][name], 6) for k in burned}
                    for name in burned["player"]
                },
                "worst_population": worst,
                "fraction": round(slo_frac, 6),
                "harm_to_avoid": real,
                "gate": round(outcome_gate, 6),
            },
        ),
        Part(
            "diagnosis",
            "Diagnosis",
            earned["diagnosis"],
            w["diagnosis"],
            details.diagnosis(diag, hypotheses, earned["diagnosis"], w["diagnosis"]),
            diag,
        ),
        Part(
            "time",
            "Time to mitigate",
            earned["time"],
            w["time"],
            details.time(
                t_p,
                t_r,
                t_n,
                TIME_GRACE_S,
                hiding=hiding,
                broken=broken,
                outcome_gate=outcome_gate,
                got=earned["time"],
                top=w["time"],
                harm_to_avoid=real,
            ),
            {
                "player_s": t_p,
                "reference_s": t_r,
                "nothing_s": t_n,
                "held": rec["player"].held,
                "symptom_hiding": hiding,
                "invariants_ok": not broken,
                "engine_verdict": _verdict_data(verdict),
                "fraction": round(time_frac, 6),
                "gate": round(outcome_gate, 6),
            },
        ),
        Part(
            "collateral",
            "Collateral damage",
            earned["collateral"],
            w["collateral"],
            details.collateral(
                c_p,
                c_r,
                COLLATERAL_SHARE * span,
                gate_why,
                earned["collateral"],
                w["collateral"],
                harm.cost_text(sc, beyond) if beyond else ("", ""),
                path.unneeded,
                RISK_SHARE,
            ),
            {
                "player": round(c_p, 6),
                "reference": round(c_r, 6),
                "per_slo": {k: round(v, 6) for k, v in own["player"].items()},
                "changes": path.changes,
                "unneeded": list(path.unneeded),
                "fraction": round(coll_frac, 6),
                "gate": round(gate, 6),
            }
            | (harm.cost_data(sc, beyond) if beyond else {}),
        ),
        Part(
            "investigation",
            "Investigation cost",
            earned["investigation"],
            w["investigation"],
            details.investigation(
                q,
                INVESTIGATION_FREE_S,
                INVESTIGATION_ZERO_S,
                gate_why,
                earned["investigation"],
                w["investigation"],
                evidence,
            ),
            {
                "query_s": q,
                "queries": path.queries,
                "looked_at": sorted(path.looked_at),
                "evidence": sorted(path.evidence),
                "fraction": round(inv_frac, 6),
                "gate": round(gate, 6),
            },
        ),
    ]
    beyond_part = harm.part(sc, beyond, outcome_gate, real) if beyond else None
    if beyond_part is not None:
        parts.append(beyond_part)
        earned["harm"] = beyond_part.points
    told = comms.part(session, pops["player"], rec["player"], page, dt)
    if told is not None:
        parts.append(told)
        earned["communication"] = told.points
    overall = total(earned)
    score = Score(overall, grade(overall), parts)
    out = Assessment(sc, session, base, onset, page, end_tick, hi, pops, rec, score, verdict)
    _ASSESSED[session] = (settle, out)
    return out


def score_session(session: Session, settle: float = SETTLE_S) -> Score:
    """Settle and score a game (see :func:`assess`)."""
    return assess(session, settle).score
