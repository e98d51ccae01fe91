"""The effect of a scenario's recovery rules (``chaosgame.scenario.action_rules``).

Three hooks of :mod:`chaosgame.engine.mitigations` call in here:

* :func:`admit` when an action is asked for: its delay in this scenario (fixed, or per replica
  the target wants), or a :class:`MitigationError` with the rule's sentence when the rule
  refuses an action whose requirements are not met;
* :func:`before_effect` when it falls due: a rule that ``fail``\\ s makes it do nothing but say
  why; a rule that ``harm``\\ s lets it act and adds the stated harm for its time;
* :func:`after_effect` once it acted: it counts as done for later requirements.

Requirements read the simulation's true state at the last tick simulated (not the player's
telemetry): the history row of a component, its ready and wanted replicas, and the actions
that have taken effect. Without a ``recovery:`` block nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import data
from chaosgame.engine.state import Modifiers
from chaosgame.scenario.action_rules import UP_ERRORS, Observable, Requirement, Timing, rule_for
from chaosgame.scenario.actions import MITIGATIONS, MitigationBase
from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

MEMO = "recovery/ledger"


@dataclass
class Ledger:
    """What has taken effect (for requirements), and what failed."""

    done: list[tuple[str, str, str | None]] = field(default_factory=list)
    """``(action, target, runbook step)`` of every action that took effect."""
    failed: set[int] = field(default_factory=set)
    """Numbers of the pending actions that failed (a rule's ``without: fail``)."""


def ledger(sim: Simulator) -> Ledger:
    """The simulation's ledger of recovery actions (made on first use)."""
    book = sim.memo.get(MEMO)
    if not isinstance(book, Ledger):
        book = sim.memo[MEMO] = Ledger()
    return book


def _step(spec: MitigationBase) -> str | None:
    step = getattr(spec, "step", None)
    return step if isinstance(step, str) else None


def rule(sim: Simulator, spec: MitigationBase) -> Timing | None:
    """The scenario's rule for ``spec`` (None: the catalogue's delay, no requirements)."""
    if sim.scenario.recovery is None:
        return None
    return rule_for(sim.scenario, spec.action, spec.target, _step(spec), spec.model_dump())


def _replicas(sim: Simulator, target: str) -> float:
    i = sim.world.index.get(target)
    return 0.0 if i is None else float(sim.state.desired[i])


def delay(sim: Simulator, spec: MitigationBase) -> float:
    """Seconds between asking for ``spec`` now and its taking effect."""
    r = rule(sim, spec)
    seconds = None if r is None else r.seconds(_replicas(sim, spec.target))
    if seconds is None and sim.data is not None:
        seconds = data.delay(sim, spec)  # a restore's copy, a reconciliation
    return MITIGATIONS[spec.action].delay_s if seconds is None else seconds


def read(sim: Simulator, component: str, metric: str) -> float:
    """A component's ``metric`` at the last tick simulated (0 before the first)."""
    row = sim.history.ticks - 1
    if row < 0:
        return 0.0
    i = sim.world.index[component]
    return float(sim.history.comp[metric][row, i])


def holds(sim: Simulator, cond: Observable) -> bool:
    """Whether ``cond`` holds on the simulated state now."""
    value = read(sim, cond.component, cond.metric)
    if cond.above is not None:
        return value > cond.above
    assert cond.below is not None
    return value < cond.below


def is_up(sim: Simulator, component: str) -> bool:
    """Every replica the component wants is ready, and it fails under :data:`UP_ERRORS`."""
    i = sim.world.index[component]
    st = sim.state
    return bool(
        st.desired[i] > 0
        and st.ready[i] >= st.desired[i] - 1e-9
        and read(sim, component, "errors") < UP_ERRORS
    )


def met(sim: Simulator, req: Requirement) -> bool:
    """Whether one requirement is met now."""
    if req.done is not None:
        want = req.done
        return any(
            a == want.action and (want.target is None or t == want.target)
            for a, t, _ in ledger(sim).done
        )
    if req.step is not None:
        return any(a == "run-step" and s == req.step for a, _, s in ledger(sim).done)
    if req.up is not None:
        return is_up(sim, req.up)
    assert req.when is not None
    return holds(sim, req.when)


def unmet(sim: Simulator, r: Timing) -> list[Requirement]:
    """The requirements of rule ``r`` not met now, in order."""
    return [req for req in r.requires if not met(sim, req)]


def sentence(spec: MitigationBase, r: Timing, missing: list[Requirement]) -> str:
    """What the player reads: the rule's own words, else what is missing."""
    if r.says.strip():
        return " ".join(r.says.split())  # a folded YAML block ends with a line break
    needs = "; ".join(req.text() for req in missing)
    return f"{spec.action} {spec.target} needs {needs}"


def check_step(sim: Simulator, spec: MitigationBase) -> None:
    """A ``run-step`` must name a step of the runbook for its target."""
    from chaosgame.engine.mitigations import MitigationError

    if spec.action != "run-step":
        return
    rec = sim.scenario.recovery
    steps = [s for s in rec.runbook if s.target == spec.target] if rec else []
    name = _step(spec)
    if any(s.name == name for s in steps):
        return
    if not steps:
        raise MitigationError(f"run-step: the runbook has no step for '{spec.target}'")
    listed = ", ".join(s.name for s in steps)
    raise MitigationError(
        f"run-step: the runbook has no step '{name}' for {spec.target} (its steps: {listed})"
    )


def admit(sim: Simulator, spec: MitigationBase) -> float:
    """Refuse ``spec`` when its rule says so; otherwise its delay (see :func:`delay`)."""
    from chaosgame.engine.mitigations import MitigationError

    check_step(sim, spec)
    data.check(sim, spec)
    r = rule(sim, spec)
    if r is not None and r.without == "refuse":
        missing = unmet(sim, r)
        if missing:
            raise MitigationError(sentence(spec, r, missing))
    return delay(sim, spec)


def before_effect(sim: Simulator, number: int) -> bool:
    """Whether pending action ``number`` acts now (False: it failed, and the timeline says why).

    A rule that harms adds its harm as it acts."""
    pending = sim.pending[number]
    spec = pending.spec
    r = rule(sim, spec)
    if r is None or r.without == "refuse":
        return True
    missing = unmet(sim, r)
    if not missing:
        return True
    why = sentence(spec, r, missing)
    if r.without == "fail":
        ledger(sim).failed.add(number)
        sim.record("mitigation", spec.target, f"{spec.action} failed: {why}", pending.actor)
        return False
    assert r.harm is not None
    harm = r.harm
    on = harm.on or spec.target
    i = sim.world.index[on]
    until = sim.now + harm.lasting
    share = harm.errors
    kmask = np.ones(sim.world.k)

    def standing(sim: Simulator, m: Modifiers) -> None:
        if sim.now < until:
            m.add_err(i, share, kmask)

    sim.standing[("harm", f"{number}")] = standing
    sim.record(
        "mitigation",
        on,
        f"{spec.action} {spec.target} done without {missing[0].text()}: {why} "
        f"({share:.0%} of requests fail for {format_duration(harm.lasting)})",
        pending.actor,
    )
    return True


def after_effect(sim: Simulator, number: int) -> None:
    """Count pending action ``number`` as done (for later requirements)."""
    if sim.scenario.recovery is None:
        return
    spec = sim.pending[number].spec
    ledger(sim).done.append((spec.action, spec.target, _step(spec)))


PARTY_STEPS = {
    "start": ("starts", "started"),
    "adopted": ("is fully adopted", "was fully adopted"),
    "ack": ("answers the page", "answered the page"),
}
"""Another party's timers, as the time-skip names them (``engine/parties.py``)."""


def next_due(sim: Simulator) -> tuple[float, str, str, str] | None:
    """The next step under way: an action asked for taking effect, or another party starting,
    finishing or answering what the player asked of them. When, what (``restart db``), what it
    will do and what it did (``takes effect``, ``took effect``); None: nothing is under way."""
    waiting: list[tuple[float, int, str, str, str]] = []
    for n, p in enumerate(sim.pending):
        if not p.done:
            what = f"{p.spec.action} {p.spec.target}"
            waiting.append((p.at, n, what, "takes effect", "took effect"))
    for at, seq, timer, index, amount in sim.state.timers:
        head, _, arg = timer.partition(":")
        if head != "party" or arg not in PARTY_STEPS:
            continue
        party = sim.scenario.parties[index]
        who = party.name if arg == "ack" else f"{party.name}'s {party.actions[int(amount)].name}"
        will, did = PARTY_STEPS[arg]
        waiting.append((at, len(sim.pending) + seq, who, will, did))
    if not waiting:
        return None
    at, _, what, will, did = min(waiting)
    return at, what, will, did
