"""``chaosgame check``: prove a scenario fair and solvable by playing it headless.

Four kinds of run of the same scenario and seed are compared:

* **baseline**: the scenario with its faults removed (what the fleet does on a normal day);
* **nothing**: the player is paged and does nothing until the time limit, then the world
  settles for a while;
* **reference**: the player applies the truth's reference solution as soon as paged (a staged
  one stage by stage, after its waits and conditions);
* **counterfactuals**: one per red herring, the scenario without that event.

The checks (each passes or fails with its reason):

a. ``fault-hurts-slo``: the fault burns error budget that the baseline does not;
b. ``reference-recovers``: the reference solution brings every SLI back within the time limit
   and it stays back while the world settles;
c. ``root-cause-visible``: the root cause leaves a signal the player can query despite the
   scenario's observability gaps (its own metrics, logs, events, or its callers' traces/logs);
d. ``red-herrings``: each red herring is a real, visible event off the causal chain (removing
   it changes nothing that matters); authored noise (``alert:``, ``log:``, ``slow-query:``,
   ``metric:``) must also be seen by the player despite the gaps while they play;
e. ``nothing-scores-poorly``: doing nothing does not fix the incident, and the game's score
   of a player who does nothing is at most 20 (without the scoring module: it burns clearly
   more budget than the reference).

For a no-fault scenario (``truth.root_cause.kind == "no-fault"``) the logic inverts: users are
not hurt, there is nothing to recover, and doing nothing is right.

Judging an SLI "recovered" is :mod:`chaosgame.proof.recovery`'s job (one seam, so the
outcome grading of the engine can take over).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosgame.engine import onset as harm
from chaosgame.engine.fleet import root_fleet
from chaosgame.engine.sim import Simulator
from chaosgame.game import baselines, forks, impact, players
from chaosgame.game.session import Session
from chaosgame.proof.recovery import SETTLE, Judge, burned, objective_mask
from chaosgame.proof.signals import find_signals
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.noise import EVER, PREFIXES, item, noise_refs, without
from chaosgame.scenario.units import format_duration
from chaosgame.telemetry.noise import visible

HURT_BURN = 1.0
"""(a) the faulty run must burn budget at least this fast over the incident..."""
HURT_RATIO = 2.0
"""...and this many times the baseline's bad events."""
NOTHING_RATIO = 1.5
"""(e) doing nothing burns at least this many times the reference's budget."""
NOTHING_MAX_SCORE = 20.0
"""(e) with the game's scoring: a player who does nothing scores at most this."""
HERRING_TOLERANCE = 0.10
"""(d) removing a red herring may change the damage by at most this share (plus a little)."""


@dataclass(frozen=True)
class Check:
    """The verdict of one check."""

    name: str
    ok: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "reason": self.reason, "details": self.details}


@dataclass
class Report:
    """Every check of one scenario file."""

    path: str
    scenario: str | None
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What ``validate`` warns about (an id or title that names the cause); never a failure."""
    kind: str = "scenario"
    """``scenario``, or ``topology`` for a shared topology file (which is not checked)."""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.checks) and all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "scenario": self.scenario,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "checks": [c.as_dict() for c in self.checks],
        }

    def text(self) -> str:
        """Human-readable report."""
        head = f"{self.path}: {'ok' if self.ok else 'FAILED'}"
        lines = [head, *(f"  {e}" for e in self.errors), *(f"  {w}" for w in self.warnings)]
        for c in self.checks:
            lines.append(f"  [{'pass' if c.ok else 'FAIL'}] {c.name}: {c.reason}")
        return "\n".join(lines)


@dataclass
class Run:
    """One headless play-through."""

    sim: Simulator
    page: float
    deadline: float
    refused: list[str] = field(default_factory=list)
    session: Session | None = None


def _without_faults(sc: Scenario, expiring: frozenset[str] = frozenset()) -> Scenario:
    """``sc`` without its faults. The certificates of ``expiring`` (the targets of its
    ``cert-expired`` faults) no longer expire either: the expiry is the fault's mechanism,
    whether ``cert_expires_at`` says it too or not."""
    comps = [
        c.model_copy(update={"cert_expires_at": None}) if c.name in expiring else c
        for c in sc.components
    ]
    return sc.model_copy(update={"faults": [], "components": comps})


def _expiring(sim: Simulator) -> frozenset[str]:
    """The components whose certificate a ``cert-expired`` fault of ``sim`` expires."""
    names = sim.world.names
    return frozenset(names[f.target] for f in sim.faults if f.spec.kind == "cert-expired")


def _play(
    sc: Scenario,
    seed: int,
    actions: list[dict[str, Any]],
    settle: float,
    start: Session | None = None,
    until: float | None = None,
) -> Run:
    """Play ``actions`` as a player would (the one player of :mod:`chaosgame.game.players`,
    the same runs scoring compares with), then run on to the deadline plus ``settle``.
    ``start``: the session to play in, already run to the page (:mod:`chaosgame.game.forks`);
    by default a fresh one. ``until``: stop there if that comes first (nothing after it
    is read)."""
    if start is None:
        session, refused = players.play(sc, actions, seed)
    else:
        session, refused = start, players.play_on(start, actions)
    sim = session.sim
    assert sim is not None
    deadline = session.deadline
    sim.run_until(deadline + settle if until is None else min(deadline + settle, until))
    return Run(sim, session.start_time, deadline, refused, session)


def _baseline(
    sc: Scenario, seed: int, until: float, expiring: frozenset[str] = frozenset()
) -> Simulator:
    sim = Simulator(_without_faults(sc, expiring), seed)
    sim.run_until(until)
    return sim


def _baseline_of(sc: Scenario, seed: int, until: float, nothing: Run) -> Simulator:
    """The fault-free run to ``until``. A scenario without faults is its own fault-free
    version, and a player who does nothing changes nothing: the doing-nothing run, settled
    to ``until``, is then that very simulation (it is only read)."""
    if not sc.faults and abs(nothing.sim.now - until) < nothing.sim.dt / 2:
        return nothing.sim
    return _baseline(sc, seed, until, _expiring(nothing.sim))


def _tick(sim: Simulator, t: float) -> int:
    return min(int(round(t / sim.dt)), sim.history.ticks)


def _damage(sim: Simulator, lo: float, hi: float) -> tuple[float, float, float]:
    """(budget share burned, bad events, worst burn rate) over ``[lo, hi)`` for all SLOs.

    The populations are the score's (:func:`chaosgame.game.impact.populations`): each SLO
    fleet-wide and per tenant; an SLO's share and bad events are those of its population that
    burned the most (as :func:`chaosgame.game.impact.harm` counts it), so harm concentrated on
    one small tenant counts here exactly as in the score.
    """
    a, b = _tick(sim, lo), _tick(sim, hi)
    worst_of: dict[str, tuple[float, float]] = {}
    worst = 0.0
    for p in impact.populations(sim):
        share, bad = p.burned(a, b), float(p.bad[a:b].sum())
        if p.slo not in worst_of or share > worst_of[p.slo][0] + 1e-12:
            worst_of[p.slo] = (share, bad)
        total = float(p.total[a:b].sum())
        if total > 0:
            worst = max(worst, (bad / total) / (1.0 - p.target))
    share = sum(v[0] for v in worst_of.values())
    return share, sum(v[1] for v in worst_of.values()), worst


def _per_slo(sim: Simulator, lo: float, hi: float) -> dict[str, float]:
    """Budget burned over ``[lo, hi)`` per SLO (its worst population), as the score has it."""
    return impact.harm(impact.populations(sim), _tick(sim, lo), _tick(sim, hi))


def check_scenario(sc: Scenario, seed: int | None = None, settle: float = SETTLE) -> list[Check]:
    """Run every check on a validated scenario."""
    seed = sc.seed if seed is None else seed
    no_fault = sc.truth.root_cause.kind == "no-fault"
    # every player sees the same world up to the page: simulate it there once
    start = forks.paged(sc, seed)
    twin = forks.fork(start)
    nothing = _play(sc, seed, players.idle_actions(sc), settle, start)
    end = nothing.deadline + settle
    base = _baseline_of(sc, seed, end, nothing)
    reference = _play(sc, seed, players.reference_actions(sc), settle, twin)
    _share_comparison(sc, seed, settle, nothing, reference)
    judge = Judge(base)
    onset = nothing.session.onset if nothing.session is not None else nothing.page
    checks = [
        _check_hurts(sc, nothing, base, onset, no_fault),
        _check_reference(sc, reference, judge, no_fault),
        _check_visible(sc, nothing, base, onset, no_fault),
        _check_herrings(sc, seed, nothing, onset),
        _check_nothing(sc, nothing, reference, judge, no_fault),
    ]
    return checks


def _share_comparison(sc: Scenario, seed: int, settle: float, nothing: Run, ref: Run) -> None:
    """Hand the doing-nothing and reference runs to the game's scoring, which compares the
    doing-nothing player with exactly these two runs (:mod:`chaosgame.game.baselines`): they
    are simulated once, not again when :func:`nothing_score` scores the idle player."""
    if settle != players.SETTLE_S or nothing.session is None or ref.session is None:
        return
    baselines.offer(sc, seed, settle, ref.session, nothing.session, ref.refused)


def _check_hurts(sc: Scenario, run: Run, base: Simulator, onset: float, nf: bool) -> Check:
    name = "fault-hurts-slo"
    if not sc.slos:
        return Check(name, False, "the scenario has no SLO, so no harm can be measured")
    share, bad, burn = _damage(run.sim, onset, run.deadline)
    b_share, b_bad, b_burn = _damage(base, onset, run.deadline)
    details: dict[str, Any] = {"burn": round(burn, 3), "baseline_burn": round(b_burn, 3)}
    details["per_slo"] = {k: round(v, 5) for k, v in _per_slo(run.sim, onset, run.deadline).items()}
    details |= {"budget_burned": round(share, 5), "baseline_budget_burned": round(b_share, 5)}
    if nf:
        ok = burn < HURT_BURN
        why = (
            f"no-fault: users are fine, burn {burn:.2f}x stays under {HURT_BURN:g}x"
            if ok
            else f"no-fault scenario, yet the SLO burns at {burn:.2f}x: something is broken"
        )
        return Check(name, ok, why, details)
    if not sc.faults:
        return Check(name, False, "the scenario has no fault (say kind: no-fault in the truth)")
    early = page_before_harm(sc, run)
    if early is not None:
        return Check(name, False, early, details)
    ok = burn >= HURT_BURN and bad >= HURT_RATIO * b_bad + 1e-9
    why = f"burn {burn:.2f}x from onset to the time limit vs {b_burn:.2f}x without the fault"
    if not ok:
        why += (
            f"; needs at least {HURT_BURN:g}x and {HURT_RATIO:g} times the baseline's bad "
            "events (make the fault stronger or the SLO stricter)"
        )
    return Check(name, ok, why, details)


def page_before_harm(sc: Scenario, run: Run) -> str | None:
    """What is wrong when the page of ``run`` fires before any fault acted (None when it
    does not): the player would be called to an incident that has not begun."""
    sim = run.sim
    first = harm.first_acted(sim)
    acting = [f for f in sim.faults if f.first_acted is not None]
    if first is None:
        f = sim.faults[0]
        what = f"faults[{f.number}] ({f.spec.kind} on {sim.world.names[f.target]})"
        return (
            f"the page at {format_duration(run.page)} fires, yet no fault ever acts: {what} "
            "waits for a condition that never holds before the end (check its at, when, "
            "version or flag)"
        )
    if harm.onset(sim) <= run.page + 1e-9:
        return None
    f = min(acting, key=lambda a: (a.first_acted or 0.0, a.number))
    where = "page_at" if sc.page_at is not None else "the page"
    return (
        f"{where}: the page at {format_duration(run.page)} fires before anything is wrong: the "
        f"first fault to act, faults[{f.number}] ({f.spec.kind} on "
        f"{sim.world.names[f.target]}), acts from {format_duration(first)}; page at or after "
        "it (move page_at, or the fault's at or condition)"
    )


def _check_reference(sc: Scenario, run: Run, judge: Judge, nf: bool) -> Check:
    name = "reference-recovers"
    if run.refused:
        waits = all("wait_until" in why for why in run.refused)
        what = "did not play through" if waits else "was refused"
        return Check(name, False, f"the reference solution {what}: " + "; ".join(run.refused))
    if not nf and not sc.truth.reference_solution:
        return Check(name, False, "truth.reference_solution is empty")
    verdict = judge.evaluate(run.sim, run.page, run.deadline)
    details = verdict.as_dict()
    if nf:
        ok = verdict.held
        why = (
            "no-fault: the SLIs stay healthy with the reference response"
            if ok
            else "no-fault, but the SLIs are unhealthy after the reference response: "
            + "; ".join(verdict.reasons)
        )
        return Check(name, ok, why, details)
    ok = verdict.recovered and verdict.held
    if ok:
        when = (
            f"{format_duration(max(verdict.recovered_at - run.page, 0.0))} after the page"
            if verdict.recovered_at is not None
            else "by the time limit"
        )
        why = (
            f"every SLI healthy {when}, within the {format_duration(sc.time_limit)} limit, "
            f"and still healthy {format_duration(judge.settle)} later"
        )
    elif not verdict.recovered:
        why = "the reference solution never recovered: " + (
            "; ".join(verdict.reasons) or "the SLIs stay out of their objectives"
        )
    else:
        why = "; ".join(verdict.reasons) or "the SLIs did not stay recovered"
    return Check(name, ok, why, details)


def _check_visible(sc: Scenario, run: Run, base: Simulator, onset: float, nf: bool) -> Check:
    name = "root-cause-visible"
    if nf:
        mask = objective_mask(run.sim, run.page, run.deadline)
        ok = bool(mask.mean() >= 0.9) if mask.size else True
        why = (
            "no-fault: the SLO view shows every SLI within its objective"
            if ok
            else "no-fault, but the SLO view shows an SLI out of its objective"
        )
        return Check(name, ok, why)
    rc = sc.truth.root_cause
    component = rc.component or min(root_fleet(sc, run.sim.seed), default=None)
    if component is None:
        return Check(name, False, "truth.root_cause names no component")
    found = find_signals(sc, run.sim, base, component, onset, run.deadline)
    if found:
        return Check(name, True, "; ".join(found[:4]), {"signals": found})
    return Check(
        name,
        False,
        f"nothing the player can query distinguishes '{component}': its own metrics, logs "
        "and events show no change and no instrumented caller sees it fail (check its "
        "telemetry settings)",
    )


def _remove(sc: Scenario, ref: str) -> tuple[Scenario | None, str, float | None]:
    """The scenario without the event ``ref``, a description, and when the event happened."""
    if ref.startswith(PREFIXES):
        quiet = without(sc.noise, ref)
        found = item(sc.noise, ref)
        if quiet is None or found is None:
            known = ", ".join(noise_refs(sc.noise)) or "the scenario has no noise"
            return None, f"'{ref}' names no authored noise (known: {known})", None
        since = getattr(found, "since", EVER)
        return sc.model_copy(update={"noise": quiet}), f"noise {ref}", max(since, EVER)
    if ref.startswith("flag:"):
        fname = ref.removeprefix("flag:")
        for f in sc.flags:
            if f.name == fname:
                if not f.changes:
                    return None, f"flag {fname} never changes, so it is not an event", None
                flags = [g.model_copy(update={"changes": []}) if g is f else g for g in sc.flags]
                first = min(ch.at for ch in f.changes)
                return sc.model_copy(update={"flags": flags}), f"flag {fname}", first
        return None, f"no flag '{fname}'", None
    for d in sc.deploys:
        if d.id == ref:
            rest = [x for x in sc.deploys if x is not d]
            return sc.model_copy(update={"deploys": rest}), f"deploy {ref}", d.at
    for c in sc.configs:
        if c.id == ref:
            kept = [x for x in sc.configs if x is not c]
            return sc.model_copy(update={"configs": kept}), f"config change {ref}", c.at
    ids = [d.id for d in sc.deploys if d.id] + [c.id for c in sc.configs if c.id]
    ids += [f"flag:{f.name}" for f in sc.flags] + noise_refs(sc.noise)
    return (
        None,
        f"'{ref}' is no deploy id, config id, flag:NAME or noise reference "
        f"(known: {', '.join(ids)})",
        None,
    )


def _share_without(without: Scenario, seed: int, run: Run, onset: float, noise: bool) -> float:
    """The budget share the doing-nothing player sees burn from ``onset`` to ``run``'s time
    limit in ``without`` (the scenario less one red herring).

    Authored noise is telemetry only: the engine never reads it (``Noise``), so without a
    noise item the world runs exactly as ``run`` did and its share is ``run``'s. Any other
    herring is played out, only to the time limit the damage is compared over."""
    if noise:
        return _damage(run.sim, onset, run.deadline)[0]
    alt = _play(without, seed, players.idle_actions(without), 0.0, until=run.deadline)
    return _damage(alt.sim, onset, run.deadline)[0]


def _check_herrings(sc: Scenario, seed: int, run: Run, onset: float) -> Check:
    name = "red-herrings"
    herrings = sc.truth.red_herrings
    if not herrings:
        return Check(name, True, "no red herrings")
    share, _bad, _burn = _damage(run.sim, onset, run.deadline)
    good: list[str] = []
    bad: list[str] = []
    for h in herrings:
        without, what, at = _remove(sc, h.ref)
        if without is None or at is None:
            bad.append(what)
            continue
        if at > run.deadline:
            bad.append(f"{what} happens after the time limit, so the player never sees it")
            continue
        if h.ref.startswith(PREFIXES):
            hidden = visible(run.sim, h.ref, run.page, run.deadline)
            if hidden is not None:
                bad.append(hidden)
                continue
        alt_share = _share_without(without, seed, run, onset, h.ref.startswith(PREFIXES))
        if abs(alt_share - share) > HERRING_TOLERANCE * share + 0.002:
            bad.append(
                f"{what} is on the causal chain: without it the budget burned changes from "
                f"{share:.1%} to {alt_share:.1%}"
            )
        else:
            good.append(f"{what} is real and harmless")
    if bad:
        return Check(name, False, "; ".join(bad))
    return Check(name, True, "; ".join(good))


def nothing_score(run: Run) -> float | None:
    """The game's score (0-100) of the player in ``run``, who was paged and did nothing;
    None when the game's scoring is not available."""
    try:
        from chaosgame.game.scoring import score_session
    except ImportError:  # pragma: no cover - scoring ships with the game
        return None
    if run.session is None:
        return None
    return float(score_session(run.session).total)


def _check_nothing(sc: Scenario, nothing: Run, ref: Run, judge: Judge, nf: bool) -> Check:
    name = "nothing-scores-poorly"
    verdict = judge.evaluate(nothing.sim, nothing.page, nothing.deadline)
    end = nothing.deadline + judge.settle
    n_share = burned(nothing.sim, nothing.page, end)
    r_share = burned(ref.sim, ref.page, end)
    details: dict[str, Any] = {
        "nothing_budget": round(n_share, 5),
        "reference_budget": round(r_share, 5),
        "per_slo": {
            name: {"nothing": round(n, 5), "reference": round(r, 5)}
            for (name, n), r in zip(
                _per_slo(nothing.sim, nothing.page, end).items(),
                _per_slo(ref.sim, ref.page, end).values(),
                strict=True,
            )
        },
    }
    if nf:
        ok = verdict.held
        why = "no-fault: doing nothing is right and the SLIs stay healthy"
        return Check(name, ok, why if ok else "no-fault, but doing nothing leaves SLIs unhealthy")
    score = nothing_score(nothing)
    details["nothing_score"] = score
    if verdict.recovered and verdict.held:
        return Check(
            name, False, "doing nothing recovers by itself: the incident needs no action", details
        )
    if score is not None:
        ok = score <= NOTHING_MAX_SCORE
        why = f"doing nothing scores {score:.0f}/100"
        why += (
            f" (at most {NOTHING_MAX_SCORE:g} needed) and burns {n_share:.1%} of the budget "
            f"(reference: {r_share:.1%})"
            if ok
            else f"; it must score at most {NOTHING_MAX_SCORE:g}"
        )
        return Check(name, ok, why, details)
    if n_share < NOTHING_RATIO * r_share:
        return Check(
            name,
            False,
            f"doing nothing burns {n_share:.1%} of the budget, the reference {r_share:.1%}: "
            f"needs at least {NOTHING_RATIO:g} times as much",
            details,
        )
    return Check(
        name,
        True,
        f"doing nothing never recovers and burns {n_share:.1%} of the budget "
        f"(reference: {r_share:.1%})",
        details,
    )


def check_path(path: str, seed: int | None = None) -> Report:
    """Load, validate and check one file.

    A shared topology file is not checked (it holds no incident): its report has
    ``kind == "topology"`` and says so in its errors.
    """
    from chaosgame.scenario.loader import file_kind, load_scenario, not_a_scenario, validate_report

    if file_kind(path) == "topology":
        return Report(path, None, errors=[not_a_scenario(path)], kind="topology")
    problems, warnings = validate_report(path)
    if problems:
        return Report(path, None, errors=[str(p) for p in problems])
    sc = load_scenario(path)
    report = Report(path, sc.id, warnings=[str(w) for w in warnings])
    report.checks = check_scenario(sc, seed)
    return report
