"""The time-skip of long incidents: wait until the next action under way takes effect.

A restore that takes six hours is not played minute by minute: the player asks for it, then
skips to the moment it (or whichever action under way comes first) has taken effect, and
looks again. The outage burns the error budget all the while, exactly as if the player had
waited that long minute by minute; the skip stops at the time limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chaosgame.engine import action_rules
from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.game.session import Session
    from chaosgame.scenario.model import Scenario

NOTHING_UNDER_WAY = (
    "nothing is under way: no action you asked for is waiting to take effect, so there is no "
    "next step to wait for; wait a set time instead (wait 10m)"
)


def skip_to_next(session: Session, sim: Simulator) -> dict[str, Any]:
    """Advance ``session`` until the next step under way has happened (an action asked for
    took effect, or another party did what was asked; its tick has been simulated), or the
    time limit; say what was waited for."""
    nxt = action_rules.next_due(sim)
    if nxt is None:
        raise ValueError(NOTHING_UNDER_WAY)
    at, what, will, did = nxt
    started = session.now
    # the action acts at the start of the tick at or after ``at``: simulate that tick too
    session._advance(max(at + sim.dt - session.now, 0.0))
    reached = session.now >= at + sim.dt - 1e-9
    waited = session.now - started
    return {
        "waited_s": waited,
        "until": "next",
        "step": what,
        "reached": reached,
        "message": (
            f"waited {format_duration(waited)} until {what} {did}"
            if reached
            else f"waited {format_duration(waited)}; the time limit came before {what} {will}"
        ),
    }


POLL_S = 60.0
"""How often a reference ``wait_until`` looks at its condition (at least every tick)."""


def wait_until(session: Session, condition: dict[str, Any], timeout: float) -> str | None:
    """Advance ``session`` until ``condition`` (an :class:`Observable` as plain data) holds on
    the simulated state, for at most ``timeout`` seconds; None when it held, else why not.

    Only the reference player waits this way: it reads the true state, as the answer key may.
    """
    from chaosgame.scenario.action_rules import Observable

    sim = session.sim
    assert sim is not None
    cond = Observable.model_validate(condition)
    if cond.component not in sim.world.index:
        return f"wait_until: unknown component '{cond.component}'"
    poll = max(POLL_S, sim.dt)
    start = session.now
    while not action_rules.holds(sim, cond):
        if session.now >= session.deadline - 1e-9:
            return (
                f"wait_until {cond.text()}: the time limit came first "
                f"({cond.metric} was {action_rules.read(sim, cond.component, cond.metric):.3g})"
            )
        if session.now - start >= timeout - 1e-9:
            return (
                f"wait_until {cond.text()} never held within {format_duration(timeout)} "
                f"({cond.metric} was {action_rules.read(sim, cond.component, cond.metric):.3g} "
                "at the end); lengthen its timeout or change the plan before it"
            )
        session._advance(min(poll, start + timeout - session.now))
    return None


def recovery_briefing(sc: Scenario) -> dict[str, Any]:
    """What the on-call engineer's runbook says about this incident's actions (nothing without
    a ``recovery:`` block): how long each takes here, and the runbook's steps. Requirements
    and risks are not listed: the player learns them as an operator would, when refused."""
    rec = sc.recovery
    if rec is None:
        return {}
    replicas = {c.name: c.replicas for c in sc.components}

    def takes(t: Any, target: str | None) -> dict[str, Any]:
        n = replicas.get(target or "", 0)
        seconds = t.seconds(n)
        how = ""
        if t.per_replica is not None:
            how = f"{format_duration(t.per_replica)} per replica"
            if t.takes:
                how = f"{format_duration(t.takes)} + {how}"
        return {"takes_s": seconds, "how": how}

    actions = [
        {"action": r.action, "target": r.target, **takes(r, r.target)}
        for r in rec.actions
        if r.seconds(0) is not None
    ]
    runbook = [
        {"step": s.name, "target": s.target, "summary": s.summary, **takes(s, s.target)}
        for s in rec.runbook
    ]
    if not actions and not runbook:
        return {}
    return {"action_times": actions, "runbook": runbook}
