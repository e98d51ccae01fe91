"""Traffic steering and name resolution, as scenario data: balance groups, resolvers, and the
actions that move load (registered on import of ``actions``).

A dependency may belong to a *balance group* (``balance: web``): the calls its caller makes to
the group's members are split between them by their ``weight`` (a weight of 0 is a standby
that carries nothing until traffic is shifted to it). A component may name the ``dns``
component its calls resolve through (``resolver:``), with the time a resolved name stays
cached (``dns_ttl``). The actions here move load between members, drain a member or a region,
re-point a call to a standby or change a call's fan-out; ``contact-provider`` asks a third
party (or a managed DNS) to fix its side. Everything here is plain data and validation; the
engine gives it its effect (``chaosgame.engine.steering``). A scenario that uses none of it
simulates exactly as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chaosgame.scenario.actions import SIDE_EFFECTS, MitigationBase, Towards, mitigation
from chaosgame.scenario.mitigation_kinds import SERVING

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

Ref = Callable[[str, "str | None", Collection[str], str], None]

REGION_OR_COMPONENT = ("drain",)
"""Actions whose target may also be a region's name."""
PROVIDED = ("external", "dns")
"""Component kinds a provider runs: ``contact-provider`` acts on them."""

SIDE_EFFECTS["drain"] = (
    "the other members (or regions) take the drained share: they may saturate, and calls that "
    "now cross regions pay the latency between them"
)
SIDE_EFFECTS["shift-weights"] = (
    "the members that gain weight take the load: they may saturate; the others idle"
)
SIDE_EFFECTS["repoint"] = (
    "the new callee takes every call at once (a cold or small standby may not hold it); the "
    "old one idles"
)
SIDE_EFFECTS["set-fanout"] = (
    "fewer calls per request load the callee less, but what they fetched is no longer fetched "
    "(more calls load it more)"
)
SIDE_EFFECTS["contact-provider"] = (
    "nothing changes until the provider acts, in its own time (the scenario's, or an hour)"
)


# ------------------------------------------------------------- actions


@mitigation(
    "drain",
    topics=("scalability-ha", "multi-region"),
    summary="drain a pool member (a component) or a whole region (a region's name): the "
    "other members take its share of every balanced call",
    delay_s=60,
    risky=True,
    targets=SERVING,
)
class Drain(MitigationBase):
    action: Literal["drain"]


@mitigation(
    "shift-weights",
    topics=("scalability-ha", "multi-region", "deploy-strategies"),
    summary="send a share (`weight`) of a caller's balanced calls to one member (`to`); the "
    "other members share the rest by their weights",
    delay_s=60,
    targets=SERVING,
)
class ShiftWeights(Towards):
    action: Literal["shift-weights"]
    to: str = Field(description="the member of the caller's balance group that gets `weight`")
    weight: float = Field(ge=0, le=1, description="share of the group's calls sent to `to`")


@mitigation(
    "repoint",
    topics=("multi-region", "incident-response"),
    summary="re-point a caller's calls from one member of a balance group (`to`) to another "
    "(`onto`): a replica pool, a standby",
    delay_s=60,
    risky=True,
    targets=SERVING,
)
class MoveCalls(Towards):
    action: Literal["repoint"]
    to: str = Field(description="the callee whose calls move")
    onto: str = Field(description="the member of the same balance group that takes them")


@mitigation(
    "set-fanout",
    topics=("scalability-ha", "cost-reliability"),
    summary="set how many calls per request a caller makes to a dependency (`to`)",
    delay_s=60,
    targets=SERVING,
)
class SetFanout(Towards):
    action: Literal["set-fanout"]
    to: str = Field(description="the dependency whose fan-out changes")
    calls: float = Field(ge=0, le=100, description="calls per request from now on")


@mitigation(
    "contact-provider",
    topics=("incident-response", "scalability-ha"),
    summary="open a ticket with the provider of a third-party API or a managed DNS; its side "
    "is fixed when the provider acts (as long as the scenario says)",
    delay_s=3600,
    targets=PROVIDED,
)
class ContactProvider(MitigationBase):
    action: Literal["contact-provider"]


# ------------------------------------------------------------- validation


def groups(sc: Scenario) -> dict[tuple[str, str], list[int]]:
    """Balance groups: ``(caller, group) -> indices of its dependencies``."""
    out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, d in enumerate(sc.dependencies):
        if d.balance is not None:
            out[(d.source, d.balance)].append(i)
    return out


def check_steering(sc: Scenario, ref: Ref) -> list[str]:
    """Balance groups that can carry their calls, weights inside groups, resolvers that are
    dns components."""
    problems: list[str] = []
    kinds = {c.name: c.kind for c in sc.components}
    for i, d in enumerate(sc.dependencies):
        if d.balance is None and d.weight != 1.0:
            problems.append(
                f"dependencies[{i}].weight: a weight needs `balance:` (the group of the "
                "caller's calls it shares)"
            )
    for (caller, name), members in groups(sc).items():
        deps = [sc.dependencies[i] for i in members]
        if sum(d.weight for d in deps) <= 0:
            problems.append(
                f"dependencies[{members[0]}].weight: balance group '{name}' of '{caller}' has "
                "no member with a weight above 0 (nothing would carry its calls)"
            )
        modes = {d.mode for d in deps}
        if len(modes) > 1:
            problems.append(
                f"dependencies[{members[0]}].balance: balance group '{name}' of '{caller}' "
                "mixes sync and async calls"
            )
    for i, c in enumerate(sc.components):
        if c.resolver is None:
            continue
        ref(f"components[{i}].resolver", c.resolver, kinds, "component")
        kind = kinds.get(c.resolver)
        if kind is not None and kind != "dns":
            problems.append(
                f"components[{i}].resolver: '{c.resolver}' is a {kind}; a resolver is a dns "
                "component"
            )
        if c.resolver == c.name:
            problems.append(f"components[{i}].resolver: '{c.name}' cannot resolve through itself")
    return problems
