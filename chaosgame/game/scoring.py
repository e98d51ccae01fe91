"""The score of a game: 0 to 100 and a letter, from the hidden truth and the SLO damage.

The formula is documented in ``docs/scoring.md``; the constants below are the ones it names.
Every part compares the player with two runs of the same scenario and seed: the *reference*
(the scenario's reference solution applied the moment the page fires, and the right
diagnosis) and *doing nothing*. After the player stops, every run goes on for ``SETTLE_S``
simulated seconds, so a fix that does not hold is caught.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field
from typing import Any

from chaosgame.game import impact, players
from chaosgame.game.diagnosis import (
    ACCURACY_SHARE,
    CREDIT,
    RANK_WEIGHT,
    brier,
    diagnosis,
    judge,
)
from chaosgame.game.players import Baselines, baselines, play
from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario

__all__ = [
    "ACCURACY_SHARE",
    "CREDIT",
    "RANK_WEIGHT",
    "Assessment",
    "Part",
    "Score",
    "assess",
    "baselines",
    "brier",
    "diagnosis",
    "grade",
    "judge",
    "play",
    "query_time",
    "score_session",
]

FORMULA = 1
"""Version of the formula; stored with every run record."""
SETTLE_S = players.SETTLE_S
"""Simulated seconds every run goes on after the player stops."""
WEIGHTS = {"slo": 40.0, "diagnosis": 25.0, "time": 15.0, "collateral": 10.0, "investigation": 10.0}
MIN_SPAN = 0.02
"""Smallest difference in budget burned (2 % of a window's budget) the SLO part divides by."""
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
    base: Baselines
    onset_tick: int
    page_tick: int
    end_tick: int
    horizon_tick: int
    pops: dict[str, list[impact.Population]]
    recovery: dict[str, impact.Recovery]
    score: Score
    grading: Any = None


def _grading(session: Session, settle: float) -> Any:
    """The engine's own verdict on the settled state, when the engine provides one."""
    try:
        from chaosgame.engine import grading  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None
    evaluate = getattr(grading, "evaluate", None)
    if evaluate is None:
        return None
    return evaluate(session.sim, session.start_time, settle=settle)


def root_fault_strength(session: Session) -> float:
    """How strongly the root-cause fault still acts at the end of the (settled) run."""
    sim = session.sim
    if sim is None:
        return 0.0
    rc = session.scenario.truth.root_cause
    strength = 0.0
    for fault in sim.faults:
        if fault.spec.kind == rc.kind and fault.spec.target == rc.component:
            strength = max(strength, fault.strength(sim, sim.now))
    return strength


def _hiding(verdict: Any, player: Session, reference: Session, recovered: bool) -> bool:
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
    return root_fault_strength(player) > 0.01 and root_fault_strength(reference) <= 0.01


def _verdict_data(verdict: Any) -> dict[str, Any] | None:
    if verdict is None:
        return None
    as_dict = getattr(verdict, "as_dict", None)
    return dict(as_dict()) if callable(as_dict) else None


def _pct(x: float) -> str:
    return f"{x:.1%}"


_ASSESSED: weakref.WeakKeyDictionary[Session, tuple[float, Assessment]] = (
    weakref.WeakKeyDictionary()
)


def assess(session: Session, settle: float = SETTLE_S) -> Assessment:
    """Settle the game, run the comparisons and score it.

    A game still on is ended first (``Session.finish``). Assessing the same game again returns
    the same assessment: the world has already run on and is not run again.
    """
    sim = session.sim
    if sim is None:
        raise RuntimeError("the session was never started")
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
    base = baselines(sc, session.seed, settle)
    onset = int(sc.onset // dt)
    page = int(round(session.start_time / dt))
    end_tick = int(-(-end // dt))
    hi = int(-(-horizon // dt))
    runs = {"player": session, "reference": base.reference, "nothing": base.nothing}
    pops = {name: impact.populations(s.sim) for name, s in runs.items() if s.sim is not None}
    rec = {
        name: impact.recovery(p, page, end_tick if name == "player" else page, hi, dt)
        for name, p in pops.items()
    }
    burned = {name: impact.harm(p, onset, hi) for name, p in pops.items()}
    b = {name: sum(v.values()) for name, v in burned.items()}
    span = max(b["nothing"] - b["reference"], MIN_SPAN)
    slo_frac = _clamp(1.0 - (b["player"] - b["reference"]) / span)

    diag = diagnosis(sc, session.declarations)

    def ttm(name: str) -> float | None:
        r = rec[name]
        return None if r.at_tick is None else (r.at_tick - page) * dt

    t_p, t_r = ttm("player"), ttm("reference") or 0.0
    t_n = ttm("nothing")
    t_n = (hi - page) * dt if t_n is None else t_n
    hiding = _hiding(verdict, session, base.reference, rec["player"].held)
    broken = verdict is not None and not getattr(verdict, "invariants_ok", True)
    if t_p is None or hiding or broken:
        time_frac = 0.0
    elif t_p <= t_r + TIME_GRACE_S:
        time_frac = 1.0
    else:
        room = t_n - t_r - TIME_GRACE_S
        time_frac = _clamp((t_n - t_p) / room) if room > 0 else 0.0

    own = {
        name: impact.extra_harm(pops[name], pops["nothing"], onset, hi)
        for name in ("player", "reference")
    }
    c_p, c_r = sum(own["player"].values()), sum(own["reference"].values())
    excess = max(c_p - c_r, 0.0)
    coll_frac = _clamp(1.0 - excess / (COLLATERAL_SHARE * span))

    q = query_time(session)
    inv_frac = _clamp(1.0 - max(q - INVESTIGATION_FREE_S, 0.0) / INVESTIGATION_ZERO_S)
    # With harm to avoid, keeping the SLOs is an achievement; when the reference avoids no
    # more harm than doing nothing (a false alarm, a no-fault incident), it is only a
    # precondition, and what the player earns rests on the diagnosis.
    real = b["nothing"] - b["reference"] >= MIN_SPAN
    gate = max(slo_frac if real else 0.0, float(diag["fraction"]))
    outcome_gate = 1.0 if real else gate

    w = WEIGHTS
    worst = impact.worst_population(pops["player"], onset, hi)
    parts = [
        Part(
            "slo",
            "SLO impact",
            w["slo"] * slo_frac * outcome_gate,
            w["slo"],
            f"burned {_pct(b['player'])} of the error budgets (reference {_pct(b['reference'])}, "
            f"doing nothing {_pct(b['nothing'])})",
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
            w["diagnosis"] * float(diag["fraction"]),
            w["diagnosis"],
            _diagnosis_detail(diag),
            diag,
        ),
        Part(
            "time",
            "Time to mitigate",
            w["time"] * time_frac * outcome_gate,
            w["time"],
            _time_detail(t_p, t_r, hiding, broken),
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
            w["collateral"] * coll_frac * gate,
            w["collateral"],
            f"your actions burned {_pct(c_p)} of the budgets on their own "
            f"(the reference {_pct(c_r)})",
            {
                "player": round(c_p, 6),
                "reference": round(c_r, 6),
                "per_slo": {k: round(v, 6) for k, v in own["player"].items()},
                "fraction": round(coll_frac, 6),
                "gate": round(gate, 6),
            },
        ),
        Part(
            "investigation",
            "Investigation cost",
            w["investigation"] * inv_frac * gate,
            w["investigation"],
            f"{q:g} s of simulated time on queries ({INVESTIGATION_FREE_S:g} s are free)",
            {"query_s": q, "fraction": round(inv_frac, 6), "gate": round(gate, 6)},
        ),
    ]
    parts = [
        Part(p.key, p.label, round(p.points, 2), p.max_points, p.detail, p.data) for p in parts
    ]
    total = round(sum(p.points for p in parts), 1)
    score = Score(total, grade(total), parts)
    out = Assessment(sc, session, base, onset, page, end_tick, hi, pops, rec, score, verdict)
    _ASSESSED[session] = (settle, out)
    return out


def score_session(session: Session, settle: float = SETTLE_S) -> Score:
    """Settle and score a game (see :func:`assess`)."""
    return assess(session, settle).score


def _diagnosis_detail(diag: dict[str, Any]) -> str:
    if not diag["declared"]:
        return "no root cause declared"
    first = diag["verdicts"][0]
    words = {
        "exact": "the exact root cause",
        "component": "the right component but the wrong kind of fault",
        "symptom": "the right kind of fault on a component that only showed symptoms",
        "wrong": "not the root cause",
    }
    return f"first hypothesis: {words[first]}; calibration {diag['calibration']:.2f}"


def _time_detail(t_p: float | None, t_r: float, hiding: bool, broken: bool) -> str:
    if hiding:
        return "the symptoms were hidden, not fixed"
    if broken:
        return "the system was not left whole (lost writes, dropped traffic or no replicas)"
    if t_p is None:
        return "the SLOs did not recover and stay recovered"
    return f"recovered {t_p / 60:.1f} min after the page (reference {t_r / 60:.1f} min)"
