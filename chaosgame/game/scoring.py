"""The score of a game: 0 to 100 and a letter, from the hidden truth and the SLO damage.

The formula is documented in ``docs/scoring.md``; the constants below are the ones it names.
Every part compares the player with two runs of the same scenario and seed: the *reference*
(the scenario's reference solution applied the moment the page fires, and the right
diagnosis) and *doing nothing*. After the player stops, every run goes on for ``SETTLE_S``
simulated seconds, so a fix that does not hold is caught.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from chaosgame.game import impact
from chaosgame.game.players import reference_actions
from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario

FORMULA = 1
"""Version of the formula; stored with every run record."""
SETTLE_S = 600.0
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
CREDIT = {"exact": 1.0, "component": 0.5, "symptom": 0.35, "wrong": 0.0, "none": 0.0}
"""Diagnosis accuracy: exact cause; right component, wrong kind; right kind on a component
of the causal chain; wrong."""
RANK_WEIGHT = (1.0, 0.5, 0.25)
"""Credit of the first, second and third hypothesis."""
ACCURACY_SHARE = 0.8
"""Share of the diagnosis part for accuracy; the rest rewards calibration (Brier score)."""
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


# ------------------------------------------------------------------ replays and baselines
def play(
    scenario: Scenario, actions: list[dict[str, Any]], seed: int | None = None
) -> tuple[Session, list[str]]:
    """Play recorded actions in a fresh session; return it and the errors met (if any).

    Entries may be bare actions or records ``{"time": ..., "action": {...}}``.
    """
    session = Session(scenario, seed)
    session.reset()
    errors = []
    for i, entry in enumerate(actions):
        act = entry["action"] if "action" in entry and "type" not in entry else entry
        if session.ended:
            break
        out = session.step(act)
        if not out["ok"]:
            errors.append(f"action {i + 1}: {out['error']}")
    return session, errors


@dataclass
class Baselines:
    """The reference run and the doing-nothing run, both run to the latest possible horizon."""

    reference: Session
    nothing: Session
    errors: list[str]


_CACHE: dict[tuple[str, int, float], Baselines] = {}


def baselines(scenario: Scenario, seed: int | None = None, settle: float = SETTLE_S) -> Baselines:
    """Run (or reuse) the two comparison runs for ``scenario`` and ``seed``."""
    seed = scenario.seed if seed is None else seed
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    key = (digest, seed, settle)
    if key in _CACHE:
        return _CACHE[key]
    reference, errors = play(scenario, reference_actions(scenario), seed)
    nothing, _ = play(scenario, [{"type": "end"}], seed)
    horizon = nothing.deadline + settle
    for s in (reference, nothing):
        assert s.sim is not None
        s.sim.run_until(horizon)
    if len(_CACHE) >= 2:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = Baselines(reference, nothing, errors)
    return _CACHE[key]


# ------------------------------------------------------------------------ diagnosis
def judge(scenario: Scenario, component: str | None, kind: str) -> str:
    """How close one hypothesis is: exact, component, symptom or wrong."""
    rc = scenario.truth.root_cause
    if rc.kind == "no-fault":
        return "exact" if kind == "no-fault" else "wrong"
    external = rc.component is not None and scenario.component(rc.component).kind == "external"
    if kind == "external-dependency" and external and component in (None, rc.component):
        return "exact"
    if component == rc.component and kind == rc.kind:
        return "exact"
    if component is not None and component == rc.component:
        return "component"
    chain = {step.component for step in scenario.truth.causal_chain} - {rc.component}
    if kind == rc.kind and component in chain:
        return "symptom"
    return "wrong"


def brier(confidences: list[float], exact: list[bool]) -> float:
    """Multi-class Brier score of ranked hypotheses, from 0 (perfect) to 2 (sure and wrong).

    The classes are the hypotheses plus "something else", which gets the confidence left
    over (confidences adding up to more than 1 are scaled down to 1).
    """
    total = sum(confidences)
    probs = [c / total for c in confidences] if total > 1.0 else list(confidences)
    other = max(0.0, 1.0 - sum(probs))
    score = sum((p - (1.0 if e else 0.0)) ** 2 for p, e in zip(probs, exact, strict=True))
    score += (other - (0.0 if any(exact) else 1.0)) ** 2
    return score


def diagnosis(scenario: Scenario, declarations: list[dict[str, Any]]) -> dict[str, Any]:
    """Judge the player's last declaration: accuracy, calibration and the fraction earned."""
    if not declarations:
        return {
            "declared": False,
            "verdicts": [],
            "accuracy": 0.0,
            "calibration": 0.0,
            "fraction": 0.0,
        }
    hyps = declarations[-1]["hypotheses"]
    verdicts = [judge(scenario, h["component"], h["kind"]) for h in hyps]
    accuracy = max(CREDIT[v] * RANK_WEIGHT[i] for i, v in enumerate(verdicts))
    b = brier([float(h["confidence"]) for h in hyps], [v == "exact" for v in verdicts])
    calibration = 1.0 - b / 2.0
    fraction = ACCURACY_SHARE * accuracy + (1.0 - ACCURACY_SHARE) * calibration
    return {
        "declared": True,
        "declared_at": declarations[-1]["time"],
        "verdicts": verdicts,
        "accuracy": round(accuracy, 6),
        "brier": round(b, 6),
        "calibration": round(calibration, 6),
        "fraction": round(fraction, 6),
    }


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
    """Whether the player's recovery only hid the symptoms: the SLOs recovered while the root
    cause still acts, where the reference solution removed it."""
    if verdict is not None and hasattr(verdict, "symptom_hiding"):
        return bool(verdict.symptom_hiding)
    if not recovered:
        return False
    return root_fault_strength(player) > 0.01 and root_fault_strength(reference) <= 0.01


def _pct(x: float) -> str:
    return f"{x:.1%}"


def assess(session: Session, settle: float = SETTLE_S) -> Assessment:
    """Settle the game, run the comparisons and score it. The session must have been reset."""
    sim = session.sim
    if sim is None:
        raise RuntimeError("the session was never started")
    sc = session.scenario
    dt = sim.dt
    end = session.now
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
    if t_p is None or hiding:
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
    gate = max(slo_frac, float(diag["fraction"]))

    w = WEIGHTS
    worst = impact.worst_population(pops["player"], onset, hi)
    parts = [
        Part(
            "slo",
            "SLO impact",
            w["slo"] * slo_frac,
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
            w["time"] * time_frac,
            w["time"],
            _time_detail(t_p, t_r, hiding),
            {
                "player_s": t_p,
                "reference_s": t_r,
                "nothing_s": t_n,
                "held": rec["player"].held,
                "symptom_hiding": hiding,
                "fraction": round(time_frac, 6),
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
    return Assessment(sc, session, base, onset, page, end_tick, hi, pops, rec, score, verdict)


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


def _time_detail(t_p: float | None, t_r: float, hiding: bool) -> str:
    if hiding:
        return "the symptoms were hidden, not fixed"
    if t_p is None:
        return "the SLOs did not recover and stay recovered"
    return f"recovered {t_p / 60:.1f} min after the page (reference {t_r / 60:.1f} min)"
