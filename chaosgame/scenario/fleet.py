"""Root causes that span a fleet, and mixed fleets: what a scenario file says about them.

A fault may name the components it lives in by a **selector** (``select:``) instead of one
``target``: every component of a kind, with a tag (``image: edge-2611``), in a region or a
cluster, or a seeded share of those. The engine compiles it into one active fault per matched
component (``chaosgame.engine.fleet``). The truth may then name the **artefact** the fleet
shares (``image:edge-2611``, a tag's ``key:value``); the diagnosis accepts it, or any matched
component, as the root cause.

A deploy may have stopped part-way (``reached``): a rolling deploy that stalled, a canary left
running. Before the window that leaves a mixed fleet in place.

Plain data and checks only; the engine gives these their effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import Fraction

if TYPE_CHECKING:
    from chaosgame.scenario.faults import FaultBase
    from chaosgame.scenario.model import Component, Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Selector(BaseModel):
    """Which components a fault lives in: every one that matches all the fields given."""

    model_config = STRICT

    kind: str | None = Field(default=None, description="only components of this kind")
    tags: dict[str, str] | None = Field(
        default=None, description="only components carrying every one of these tags"
    )
    region: str | None = Field(default=None, description="only components in this region")
    cluster: str | None = Field(default=None, description="only components in this cluster")
    share: Fraction = Field(
        default=1.0,
        description="the share of the matched components hit, picked from the seed (at least one)",
    )


def matches(sel: Selector, comp: Component) -> bool:
    """Whether ``comp`` matches every field of ``sel`` (the share aside)."""
    if sel.kind is not None and comp.kind != sel.kind:
        return False
    if sel.region is not None and comp.region != sel.region:
        return False
    if sel.cluster is not None and comp.cluster != sel.cluster:
        return False
    return all(comp.tags.get(k) == v for k, v in (sel.tags or {}).items())


def selected(sc: Scenario, sel: Selector) -> list[str]:
    """The names of the components ``sel`` matches, in the scenario's order (before the share)."""
    return [c.name for c in sc.components if matches(sel, c)]


def lives_in(sc: Scenario, fault: FaultBase) -> list[str]:
    """The components a fault lives in: its target, or every one its selector matches (before
    the share, which the seed decides)."""
    if fault.select is not None:
        return selected(sc, fault.select)
    return [fault.target] if fault.target else []


def describe(sel: Selector) -> str:
    """The selector in words, for messages: ``kind gateway, tag image=edge-2611``."""
    parts = []
    if sel.kind is not None:
        parts.append(f"kind {sel.kind}")
    parts += [f"tag {k}={v}" for k, v in (sel.tags or {}).items()]
    if sel.region is not None:
        parts.append(f"region {sel.region}")
    if sel.cluster is not None:
        parts.append(f"cluster {sel.cluster}")
    return ", ".join(parts) or "every component"


def artefacts(sc: Scenario) -> list[str]:
    """Every ``key:value`` tag of the fleet, sorted: the shared artefacts a player may declare."""
    return sorted({f"{k}:{v}" for c in sc.components for k, v in c.tags.items()})


def is_artefact(name: str | None) -> bool:
    """Whether a declared name is an artefact (``key:value``) rather than a component."""
    return name is not None and ":" in name


def unknown_culprit(sc: Scenario, name: str, components: list[str]) -> str:
    """Why a declared name is neither a component nor an artefact of the fleet."""
    from chaosgame.scenario.model import _suggest

    if is_artefact(name):
        known = artefacts(sc)
        return (
            f"unknown artefact '{name}'{_suggest(name, known)}"
            if known
            else f"unknown artefact '{name}': no component of this system carries tags"
        )
    return f"unknown component '{name}'{_suggest(name, components)}"


def check_fleet(sc: Scenario) -> list[str]:
    """Problems with selectors, artefacts and partial deploys, each saying what and where."""
    problems: list[str] = []
    comps = {c.name: c for c in sc.components}
    edges = {(d.source, d.to) for d in sc.dependencies}
    for i, f in enumerate(sc.faults):
        where = f"faults[{i}]"
        sel = f.select
        if sel is None:
            if not f.target:
                problems.append(
                    f"{where}: say where the fault lives: a 'target' component, or a 'select' "
                    "of components (kind, tags, region, cluster)"
                )
            continue
        if f.target:
            problems.append(
                f"{where}: give 'target' or 'select', not both (select already names the "
                f"components: {describe(sel)})"
            )
        regions = {r.name for r in sc.regions}
        clusters = {c.name for c in sc.clusters}
        if sel.region is not None and sel.region not in regions:
            problems.append(f"{where}.select.region: unknown region '{sel.region}'")
        if sel.cluster is not None and sel.cluster not in clusters:
            problems.append(f"{where}.select.cluster: unknown cluster '{sel.cluster}'")
        names = selected(sc, sel)
        if not names:
            problems.append(
                f"{where}.select: matches no component ({describe(sel)}); check the kind, "
                "tags, region and cluster against the components"
            )
            continue
        if sel.share <= 0:
            problems.append(f"{where}.select.share: a share of 0 hits no component")
        for name in names:
            kind = comps[name].kind
            if f.targets and kind not in f.targets:
                problems.append(
                    f"{where}.select: matches '{name}', a {kind}; a {f.kind} fault takes "
                    f"{', '.join(f.targets)} (narrow the selector with kind:)"
                )
            to = getattr(f, "to", None)
            if isinstance(to, str) and to in comps and (name, to) not in edges:
                problems.append(f"{where}.to: '{name}' (matched by select) does not call '{to}'")
    problems += _check_artefact(sc)
    problems += _check_partial(sc)
    return problems


def root_selectors(sc: Scenario) -> list[tuple[int, Selector]]:
    """The selectors of the faults the root cause spans: faults of the root cause's kind with a
    selector that matches the named component or every carrier of the named artefact."""
    rc = sc.truth.root_cause
    out = []
    for i, f in enumerate(sc.faults):
        if f.select is None or f.kind != rc.kind:
            continue
        names = selected(sc, f.select)
        if (rc.component is not None and rc.component in names) or (
            rc.artefact is not None and _carried(sc, names, rc.artefact)
        ):
            out.append((i, f.select))
    return out


def root_artefacts(sc: Scenario) -> set[str]:
    """The artefacts a player may declare for a fleet-wide root cause: the truth's artefact
    and the tags its faults select on (``image:edge-2611``)."""
    rc = sc.truth.root_cause
    out = {rc.artefact} if rc.artefact is not None else set()
    for _, sel in root_selectors(sc):
        out.update(f"{k}:{v}" for k, v in (sel.tags or {}).items())
    return out


def _carried(sc: Scenario, names: list[str], artefact: str) -> bool:
    key, _, value = artefact.partition(":")
    return bool(names) and all(sc.component(n).tags.get(key) == value for n in names)


def _check_artefact(sc: Scenario) -> list[str]:
    rc = sc.truth.root_cause
    where = "truth.root_cause.artefact"
    if rc.artefact is None:
        return []
    if rc.kind == "no-fault":
        return [f"{where}: a no-fault root cause has no artefact"]
    key, colon, value = rc.artefact.partition(":")
    if not colon or not key or not value:
        return [f"{where}: write the artefact as a tag's key:value, such as image:edge-2611"]
    known = artefacts(sc)
    if rc.artefact not in known:
        shown = ", ".join(known[:12]) or "no component has tags"
        return [f"{where}: no component carries the tag {key}={value} (tags: {shown})"]
    if not root_selectors(sc):
        return [
            f"{where}: no {rc.kind} fault selects the components tagged {key}={value}; give "
            f"that fault select: {{tags: {{{key}: {value}}}}}"
        ]
    return []


def _check_partial(sc: Scenario) -> list[str]:
    problems: list[str] = []
    deploys = sorted(enumerate(sc.deploys), key=lambda x: x[1].at)
    names = {c.name for c in sc.components}
    for i, d in deploys:
        if d.at > 0 or d.component not in names:  # an unknown component is reported apart
            continue
        if d.reached is None:
            last = not any(x.component == d.component and 0 >= x.at > d.at for _, x in deploys)
            if last and d.strategy == "canary" and d.weight < 1.0:
                problems.append(
                    f"deploys[{i}]: a canary of {d.component} before the window that nobody "
                    f"finished needs 'reached' (the share of pods on {d.version}, for example "
                    f"reached: {d.weight:g}); without it the canary counts as rolled out to "
                    f"every pod (then write strategy: rolling)"
                )
            continue
        where = f"deploys[{i}].reached"
        later = [x for _, x in deploys if x.component == d.component and 0 >= x.at > d.at]
        if later:
            problems.append(
                f"{where}: a deploy of {d.component} before the window can stop part-way only "
                f"if it is the last one before the window ({later[-1].version} came after it)"
            )
            continue
        if previous_version(sc, d) == d.version:
            problems.append(
                f"{where}: say what the rest of {d.component} runs: give the component a "
                f"version other than {d.version}, or an earlier deploy of another version"
            )
    return problems


def previous_version(sc: Scenario, deploy: object) -> str:
    """What a component ran before ``deploy``: its latest earlier deploy's version, or the
    component's own ``version``."""
    from chaosgame.scenario.model import Deploy

    assert isinstance(deploy, Deploy)
    earlier = [
        d
        for d in sorted(sc.deploys, key=lambda x: x.at)
        if d.component == deploy.component and d.at < deploy.at and d.version != deploy.version
    ]
    if earlier:
        return earlier[-1].version
    return sc.component(deploy.component).version
