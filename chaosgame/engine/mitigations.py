"""Mitigation effects: what an action changes once its delay has passed.

Some act once (a rollback, a restart, a scale); others stand until revoked (load shedding,
disabled retries) and write modifiers every tick like a fault does. Side effects are real: a
restart drops in-flight work and empties local caches; scaling a caller adds connections to
what it calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from chaosgame.engine import action_rules
from chaosgame.engine.compose import after_mitigation
from chaosgame.engine.control import set_replicas
from chaosgame.engine.fleet import partial_rollback
from chaosgame.engine.state import Modifiers
from chaosgame.scenario.actions import (
    MITIGATIONS,
    DisableRetries,
    FlushCache,
    MitigationBase,
    Rollback,
    Scale,
    SetAutoscalerMax,
    ShedLoad,
    ToggleFlag,
    Towards,
    action_of,
)
from chaosgame.scenario.party_actions import PARTY_TARGETS

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

M = TypeVar("M", bound=MitigationBase)

Apply = Callable[[M, "Simulator"], str]
"""What a mitigation of model ``M`` does when it takes effect; returns what it did."""

# Keyed by action. A function registered for a model is only ever called with a spec of that
# model (the spec's ``action`` is its model's registered action), which is what the cast asserts.
APPLY: dict[str, Apply[MitigationBase]] = {}

Standing = Callable[["Simulator", Modifiers], None]
"""What a standing mitigation writes into the modifiers every tick (``Simulator.standing``)."""


@dataclass
class Pending:
    """A mitigation asked for, and whether it has taken effect yet."""

    spec: MitigationBase
    actor: str
    at: float
    done: bool = False


class MitigationError(ValueError):
    """A mitigation that cannot be applied as asked (the message says why)."""


Check = Callable[["Simulator", MitigationBase], None]
"""A target check of an action's own (raises :class:`MitigationError`), in place of the
generic one (``engine/steering.py``'s actions take a component or a region)."""
CHECKS: dict[str, Check] = {}


def applies(*models: type[M]) -> Callable[[Apply[M]], Apply[M]]:
    """Register what a mitigation of one of these models does when it takes effect."""

    def register(fn: Apply[M]) -> Apply[M]:
        for model in models:
            APPLY[action_of(model)] = cast("Apply[MitigationBase]", fn)
        return fn

    return register


def check_target(sim: Simulator, spec: MitigationBase) -> None:
    """Raise :class:`MitigationError` when the target does not exist or has the wrong kind."""
    info = MITIGATIONS[spec.action]
    own = CHECKS.get(spec.action)
    if own is not None:
        own(sim, spec)
        return
    if info.targets[0] in PARTY_TARGETS:
        from chaosgame.engine.parties import check_target as check_party

        check_party(sim, spec)
        return
    if info.targets == ("flag",):
        if spec.target not in sim.state.flags:
            known = ", ".join(sorted(sim.state.flags)) or "none"
            raise MitigationError(f"{spec.action}: unknown flag '{spec.target}' (flags: {known})")
        return
    w = sim.world
    if info.targets in (("cluster",), ("region",)):
        what = info.targets[0]
        names = [c.name for c in sim.scenario.clusters] if what == "cluster" else w.regions
        if spec.target not in names:
            known = ", ".join(names) or "none"
            raise MitigationError(f"{spec.action}: unknown {what} '{spec.target}' ({known})")
        to = spec.to if isinstance(spec, Towards) else None
        if what == "region" and (to not in w.regions or to == spec.target):
            raise MitigationError(
                f"{spec.action}: '{to}' is not another region (regions: {', '.join(w.regions)})"
            )
        return
    if spec.target not in w.index:
        from chaosgame.scenario.model import _suggest

        raise MitigationError(
            f"{spec.action}: unknown component '{spec.target}'{_suggest(spec.target, w.names)}"
        )
    kind = w.kinds[w.index[spec.target]]
    if kind not in info.targets:
        raise MitigationError(
            f"{spec.action} cannot act on '{spec.target}', a {kind}; it takes "
            f"{', '.join(info.targets)}"
        )
    to = spec.to if isinstance(spec, Towards) else None
    if to is not None and (spec.target, to) not in w.edge_index:
        callees = sorted(d for s, d in w.edge_index if s == spec.target)
        raise MitigationError(
            f"{spec.action}: '{spec.target}' does not call '{to}' "
            f"(it calls: {', '.join(callees) or 'nothing'})"
        )
    if sim.scenario.parties:
        from chaosgame.engine.parties import check_owner

        check_owner(sim, spec)


def request(sim: Simulator, spec: MitigationBase, actor: str = "player") -> float:
    """Validate and schedule a mitigation; return the simulated time it takes effect."""
    check_target(sim, spec)
    at = sim.now + action_rules.admit(sim, spec)
    sim.pending.append(Pending(spec, actor, at))
    sim.state.schedule(at, -1, f"mitigation:{len(sim.pending) - 1}")
    sim.record("mitigation", spec.target, f"{spec.action} requested", actor)
    return at


def take_effect(sim: Simulator, number: int) -> None:
    """Carry out pending mitigation ``number`` now."""
    pending = sim.pending[number]
    if not action_rules.before_effect(sim, number):
        pending.done = True  # it failed; the timeline says why
        return
    message = APPLY[pending.spec.action](pending.spec, sim)
    pending.done = True
    sim.record(
        "mitigation", pending.spec.target, f"{pending.spec.action}: {message}", pending.actor
    )
    action_rules.after_effect(sim, number)
    after_mitigation(sim, pending.spec)


def _index(sim: Simulator, spec: MitigationBase) -> int:
    return sim.world.index[spec.target]


@applies(Rollback)
def _rollback(spec: Rollback, sim: Simulator) -> str:
    from chaosgame.engine.costs import rollback

    i = _index(sim, spec)
    v = sim.state.versions[i]
    if spec.share is not None and spec.share < 1.0:
        return partial_rollback(sim, i, spec.share)
    done = rollback(sim, i)  # paced as a deploy; what the release shipped is lost
    if done is None:
        return f"nothing to roll back to; still on {v.stable}"
    _fresh_pods(sim, i)
    return done


def _fresh_pods(sim: Simulator, i: int) -> None:
    """A rollback replaces every pod: fresh memory, descriptors, DNS and secrets."""
    st, w = sim.state, sim.world
    st.mem[i] = w.mem_base[i]
    st.fds[i] = 0.0
    st.resets[("restart", i)] = sim.now


@applies(Scale)
def _scale(spec: Scale, sim: Simulator) -> str:
    i = _index(sim, spec)
    comp = sim.scenario.components[i]
    startup = comp.autoscaling.startup if comp.autoscaling else 60.0
    if comp.autoscaling is not None:
        sim.state.scale_since[i] = float("nan")
    set_replicas(sim, i, spec.replicas, startup, actor="player")
    return f"desired replicas {spec.replicas}"


@applies(ToggleFlag)
def _toggle(spec: ToggleFlag, sim: Simulator) -> str:
    sim.state.flags[spec.target] = (spec.on, spec.percentage)
    return f"{spec.target} {f'on at {spec.percentage:g}%' if spec.on else 'off'}"


@applies(DisableRetries)
def _no_retries(spec: DisableRetries, sim: Simulator) -> str:
    e = sim.world.edge_index[(spec.target, spec.to)]

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.edge_retries[e] = 0.0

    sim.standing[("disable-retries", f"{spec.target}->{spec.to}")] = standing
    return f"calls to {spec.to} are no longer retried"


@applies(SetAutoscalerMax)
def _as_max(spec: SetAutoscalerMax, sim: Simulator) -> str:
    i = _index(sim, spec)
    if sim.scenario.components[i].autoscaling is None:
        return "no autoscaler on this component; nothing changed"
    sim.overrides[("autoscaler-max", i)] = spec.max_replicas
    return f"autoscaler max {spec.max_replicas}"


@applies(FlushCache)
def _flush(spec: FlushCache, sim: Simulator) -> str:
    sim.state.hit[_index(sim, spec)] = 0.0
    return "every key dropped"


@applies(ShedLoad)
def _shed(spec: ShedLoad, sim: Simulator) -> str:
    i = _index(sim, spec)
    fraction = spec.fraction

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.shed[i] = max(m.shed[i], fraction)

    sim.standing[("shed-load", spec.target)] = standing
    return f"rejecting {fraction:.0%} of incoming requests"


# The rest of the catalogue's effects register themselves on import.
from chaosgame.engine import data_remedies as _data_remedies  # noqa: E402,F401
from chaosgame.engine import parties as _parties  # noqa: E402,F401
from chaosgame.engine import recovery_remedies as _recovery_remedies  # noqa: E402,F401
from chaosgame.engine import remedies as _remedies  # noqa: E402,F401
from chaosgame.engine import restart_costs as _restart_costs  # noqa: E402,F401
from chaosgame.engine import steering as _steering  # noqa: E402,F401
