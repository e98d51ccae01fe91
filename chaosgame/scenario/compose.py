"""Faults made of mechanisms: composed effects, richer conditions, remedies, aggravators and
lasting damage, as a scenario file says them (``docs/authoring.md``, section 9).

Every field here is opt-in: a fault that uses none of them behaves exactly as its kind says.
The engine side is ``chaosgame.engine.compose``. This module also checks the names these
fields refer to (:func:`check_compose`), in the style of ``model.check_references``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosgame.scenario.fleet import lives_in
from chaosgame.scenario.units import MAX_NUMBER, Duration, Factor

if TYPE_CHECKING:
    from chaosgame.scenario.faults import Condition, FaultBase
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

Mechanism = Literal[
    "latency",
    "service-time",
    "errors",
    "wrong",
    "cpu",
    "memory",
    "connections",
    "crash-loop",
    "stuck",
    "down",
    "cold",
]
SHARES = ("errors", "wrong", "connections", "crash-loop", "stuck", "down", "cold")
"""Mechanisms whose amount is a share (0 to 1)."""
FACTORS = ("service-time", "cpu")
"""Mechanisms whose amount is a multiplier (at least 1)."""
PER_CLASS = ("errors", "wrong", "stuck")
"""Mechanisms that hit requests one by one, so ``journeys`` and ``tenants`` pick which."""
WEIGHTED = ("cpu", "memory", "service-time")
"""Mechanisms that a journey or tenant scope weights by its share of the component's traffic."""
EDGE = ("errors", "latency", "connections")
"""Mechanisms that may act on the calls to one dependency (``to:``)."""


class Effect(BaseModel):
    """One mechanism of a composed fault and how much of it."""

    model_config = STRICT

    mechanism: Mechanism
    amount: Annotated[float, Field(ge=0, le=MAX_NUMBER)] = Field(
        description="how much: a share (errors, wrong, stuck, down, cold, crash-loop, "
        "connections), a multiplier (service-time, cpu), seconds (latency) or MB (memory)"
    )
    per: Literal["request", "second"] = Field(
        default="request", description="memory: MB per 1,000 requests, or MB per second"
    )
    target: str | None = Field(
        default=None, description="the component it acts on (default: the fault's target)"
    )
    to: str | None = Field(
        default=None, description="errors, latency, connections: only calls to this dependency"
    )
    journeys: list[str] | None = Field(default=None, description="only these journeys")
    tenants: list[str] | None = Field(default=None, description="only these tenants")

    @model_validator(mode="after")
    def _amount(self) -> Effect:
        m = self.mechanism
        if m in SHARES and self.amount > 1:
            raise ValueError(f"a {m} effect's amount is a share from 0 to 1, not {self.amount:g}")
        if m in FACTORS and not 1 <= self.amount <= 1000:
            raise ValueError(
                f"a {m} effect's amount is a multiplier from 1 to 1000, not {self.amount:g}"
            )
        if self.per == "second" and m != "memory":
            raise ValueError(f"'per' is for memory effects, not {m}")
        if self.to is not None and m not in EDGE:
            raise ValueError(f"'to' is for {', '.join(EDGE)} effects, not {m}")
        scoped = self.journeys is not None or self.tenants is not None
        if scoped and m not in PER_CLASS + WEIGHTED:
            raise ValueError(
                f"a {m} effect acts on the whole component; journeys and tenants scope only "
                f"{', '.join(PER_CLASS + WEIGHTED)}"
            )
        if scoped and self.to is not None:
            raise ValueError("an effect on the calls to a dependency ('to') cannot also be scoped")
        return self


class Load(BaseModel):
    """A load threshold on a component, read from the previous tick."""

    model_config = STRICT

    metric: Literal["rps", "utilisation"] = Field(
        default="utilisation",
        description="requests per second arriving, or utilisation (1 = at capacity)",
    )
    above: Annotated[float, Field(ge=0, le=MAX_NUMBER)] | None = None
    below: Annotated[float, Field(ge=0, le=MAX_NUMBER)] | None = None

    @model_validator(mode="after")
    def _some(self) -> Load:
        if self.above is None and self.below is None:
            raise ValueError("a load condition needs 'above' or 'below'")
        return self


class StateOf(BaseModel):
    """What must hold of a component (another than the fault's target, or the same)."""

    model_config = STRICT

    component: str = Field(description="the component looked at")
    version: str | None = Field(
        default=None, description="it runs this version or range ('>=v2.4', '>=v2,<v3')"
    )
    config: dict[str, str] | None = Field(default=None, description="its config has these values")
    config_not: dict[str, str] | None = Field(
        default=None, description="its config key differs from this value (or is unset)"
    )
    missing: list[str] | None = Field(
        default=None, description="these config keys are unset and no tag has the name"
    )
    fault: str | None = Field(default=None, description="a fault of this kind on it is acting")
    load: Load | None = None


DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class Trigger(BaseModel):
    """An action that ends or worsens a fault: its name, target and parameters to match."""

    model_config = STRICT

    action: str = Field(description="a mitigation from the catalogue")
    target: str | None = Field(default=None, description="its target (default: the fault's)")
    params: (
        dict[str, str | Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)] | bool] | None
    ) = Field(default=None, description="parameters the action must have ('to', 'on', ...)")


class Aggravator(Trigger):
    """An action that makes a fault worse, and how (the first time it takes effect)."""

    multiply: Factor | None = Field(default=None, description="the fault's strength x this")
    effects: list[Effect] | None = Field(default=None, description="effects it adds")
    spread: list[str] | None = Field(
        default=None, description="components its composed effects also act on from then on"
    )

    @model_validator(mode="after")
    def _how(self) -> Aggravator:
        if self.multiply is None and not self.effects and not self.spread:
            raise ValueError("an aggravator needs 'multiply', 'effects' or 'spread'")
        return self


class Lasting(BaseModel):
    """Damage that stays once the fault has acted, until each component's own recovery."""

    model_config = STRICT

    on: list[str] | None = Field(
        default=None, description="the components damaged (default: the fault's target)"
    )
    after: Duration = Field(
        default=0.0, description="how long the fault must act before the damage lasts"
    )
    effects: list[Effect] = Field(min_length=1, description="what the damage does, on each")
    recovery: list[str] = Field(
        min_length=1, description="actions that recover one damaged component (its target)"
    )
    message: str = Field(default="", description="event recorded when a component is damaged")

    @model_validator(mode="after")
    def _local(self) -> Lasting:
        if any(e.target is not None for e in self.effects):
            raise ValueError("lasting effects act on each component of 'on'; give them no target")
        return self


# ---------------------------------------------------------------- versions

RANGE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")


def is_range(text: str) -> bool:
    """Whether ``text`` is a version range rather than one exact version."""
    return text[:1] in "<>=!" or "," in text


VersionKey = tuple[tuple[int, ...], int, tuple[tuple[int, int | str], ...]]
"""How versions sort: the release numbers, then a release after its pre-releases."""


def version_key(version: str) -> VersionKey | None:
    """Sort key of a version: ``v2.10.1`` > ``v2.9``; ``v2.4`` == ``v2.4.0``; a pre-release
    (``v2.4.0-rc1``) sorts before its release. None for text that is no version (a digest)."""
    text = version.strip()
    if text[:1] in "vV":
        text = text[1:]
    main, _, pre = text.partition("-")
    parts = main.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    nums = [int(p) for p in parts]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    tail = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else ()
    return tuple(nums), 0 if pre else 1, tail


def _compare(a: VersionKey, b: VersionKey) -> int:
    return (a > b) - (a < b)


def parse_range(text: str) -> list[tuple[str, VersionKey]]:
    """The clauses of a range (``>=v2.4,<v3``); ``ValueError`` saying what is wrong."""
    out = []
    for part in text.split(","):
        m = RANGE.match(part) if is_range(part) else None
        if m is None:
            raise ValueError(
                f"'{part.strip()}' in version range '{text}' is not an operator (>=, >, <=, <, "
                "==, !=) followed by a version"
            )
        key = version_key(m.group(2))
        if key is None:
            raise ValueError(f"'{m.group(2)}' in version range '{text}' is not a version like v2.4")
        out.append((m.group(1), key))
    return out


OPS: dict[str, Callable[[int], bool]] = {
    ">=": lambda c: c >= 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    "<": lambda c: c < 0,
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
}


def in_range(version: str, text: str) -> bool:
    """Whether ``version`` satisfies the range (or equals the exact version) ``text``."""
    if not is_range(text):
        return version == text
    key = version_key(version)
    if key is None:
        return False
    return all(OPS[op](_compare(key, bound)) for op, bound in parse_range(text))


# ---------------------------------------------------------------- validation


def extended(cond: Condition) -> bool:
    """Whether a condition uses more than the version, flag and config of its target."""
    return any(
        v is not None
        for v in (
            cond.load,
            cond.after,
            cond.before,
            cond.daily,
            cond.components,
            cond.any,
        )
    ) or (cond.version is not None and is_range(cond.version))


def composed(f: FaultBase) -> bool:
    """Whether a fault uses composed effects, remedies, aggravators or lasting damage."""
    return any(v is not None for v in (f.effects, f.remedies, f.aggravators, f.lasting))


def check_compose(sc: Scenario, problems: list[str], names: Collection[str]) -> None:
    """Append a message for every name a composed fault refers to that does not exist."""
    from chaosgame.scenario.actions import MITIGATIONS
    from chaosgame.scenario.faults import FAULT_KINDS
    from chaosgame.scenario.model import _suggest

    comps = {c.name: c for c in sc.components}
    journeys = [j.name for j in sc.journeys]
    tenants = [t.name for t in sc.tenants]
    flags = [f.name for f in sc.flags]
    calls = {(d.source, d.to) for d in sc.dependencies}
    calls |= {(j.via, j.entry) for j in sc.journeys if j.via is not None}
    pooled = {(d.source, d.to) for d in sc.dependencies if d.pool is not None}
    set_keys = {(c.component, c.key) for c in sc.configs}
    set_values = {(c.component, c.key, c.value) for c in sc.configs}
    set_values |= {(c.component, c.key, c.previous) for c in sc.configs if c.previous}
    for f in sc.faults:
        key, value = getattr(f, "key", None), getattr(f, "value", None)
        if isinstance(key, str) and isinstance(value, str):
            for home in lives_in(sc, f):
                set_keys.add((home, key))
                set_values.add((home, key, value))

    def ref(where: str, name: str | None, known: Collection[str], what: str) -> bool:
        if name is not None and name not in known:
            problems.append(f"{where}: unknown {what} '{name}'{_suggest(name, list(known))}")
            return False
        return True

    def version(where: str, text: str | None) -> None:
        if text is not None and is_range(text):
            try:
                parse_range(text)
            except ValueError as e:
                problems.append(f"{where}: {e}")

    def effect(where: str, e: Effect, target: str) -> None:
        ref(f"{where}.target", e.target, names, "component")
        on = e.target or target
        for j in e.journeys or []:
            ref(f"{where}.journeys", j, journeys, "journey")
        for t in e.tenants or []:
            ref(f"{where}.tenants", t, tenants, "tenant")
        known_to = e.to is not None and ref(f"{where}.to", e.to, names, "component")
        if known_to and on in comps and (on, e.to) not in calls:
            problems.append(f"{where}.to: '{on}' does not call '{e.to}'")
        if e.mechanism == "connections" and on in comps:
            pools = [p for p in pooled if p[0] == on and e.to in (None, p[1])]
            if not pools:
                problems.append(
                    f"{where}: a connections effect needs a pooled call from '{on}' "
                    f"(a dependency with 'pool'){f' to {e.to!r}' if e.to else ''}"
                )
        if e.mechanism == "cold" and on in comps and comps[on].kind != "cache":
            problems.append(f"{where}: a cold effect acts on a cache; '{on}' is a {comps[on].kind}")

    def trigger(where: str, t: Trigger, target: str) -> None:
        if not ref(f"{where}.action", t.action, MITIGATIONS, "action"):
            return
        info = MITIGATIONS[t.action]
        name = t.target or target
        if info.targets == ("flag",):
            ref(f"{where}.target", name, flags, "flag")
        elif info.targets == ("cluster",):
            ref(f"{where}.target", name, [c.name for c in sc.clusters], "cluster")
        elif info.targets == ("region",):
            ref(f"{where}.target", name, [r.name for r in sc.regions], "region")
        elif ref(f"{where}.target", name, names, "component") and name in comps:
            kind = comps[name].kind
            if kind not in info.targets:
                problems.append(
                    f"{where}: {t.action} cannot act on '{name}', a {kind}; it takes "
                    f"{', '.join(info.targets)}"
                )
        fields = set(info.model.model_fields) - {"action", "target"}
        for p in t.params or {}:
            if p not in fields:
                known = ", ".join(sorted(fields)) or "none"
                problems.append(f"{where}.params: {t.action} has no parameter '{p}' ({known})")

    def condition(where: str, c: Condition, target: str, *, nested: bool = False) -> None:
        version(f"{where}.version", c.version)
        if nested:  # the top level's flag and config are checked as they always were
            ref(f"{where}.flag", c.flag, flags, "flag")
        for k, v in (c.config or {}).items() if nested else ():
            if (target, k, v) not in set_values:
                problems.append(
                    f"{where}.config: nothing in the scenario sets {k}={v} on '{target}' "
                    "(add it to configs, or fix the key or value)"
                )
        if c.daily is not None and not DAILY.match(c.daily):
            problems.append(f"{where}.daily: '{c.daily}' is not a window like 09:00-17:30")
        for n, s in enumerate(c.components or []):
            at = f"{where}.components[{n}]"
            if not ref(f"{at}.component", s.component, names, "component"):
                continue
            version(f"{at}.version", s.version)
            for k, v in (s.config or {}).items():
                if (s.component, k, v) not in set_values:
                    problems.append(
                        f"{at}.config: nothing in the scenario sets {k}={v} on "
                        f"'{s.component}' (add it to configs, or fix the key or value)"
                    )
            for k in s.config_not or {}:
                if (s.component, k) not in set_keys:
                    problems.append(
                        f"{at}.config_not: nothing in the scenario sets '{k}' on "
                        f"'{s.component}', so it always differs"
                    )
            if s.fault is not None:
                kinds = [g.kind for g in sc.faults if s.component in lives_in(sc, g)]
                if ref(f"{at}.fault", s.fault, FAULT_KINDS, "fault kind") and (
                    s.fault not in kinds
                ):
                    problems.append(
                        f"{at}.fault: no {s.fault} fault targets '{s.component}' "
                        f"(its faults: {', '.join(kinds) or 'none'})"
                    )
        for n, sub in enumerate(c.any or []):
            condition(f"{where}.any[{n}]", sub, target, nested=True)

    for i, g in enumerate(sc.faults):
        where = f"faults[{i}]"
        # a fault with select: is checked as it acts on the first component it matches
        f = g.model_copy(update={"target": (lives_in(sc, g) or [g.target])[0]})
        if f.when is not None:
            condition(f"{where}.when", f.when, f.target)
        for n, e in enumerate(f.effects or []):
            effect(f"{where}.effects[{n}]", e, f.target)
        for n, t in enumerate(f.remedies or []):
            trigger(f"{where}.remedies[{n}]", t, f.target)
        for n, a in enumerate(f.aggravators or []):
            trigger(f"{where}.aggravators[{n}]", a, f.target)
            for k, e in enumerate(a.effects or []):
                effect(f"{where}.aggravators[{n}].effects[{k}]", e, f.target)
            for name in a.spread or []:
                ref(f"{where}.aggravators[{n}].spread", name, names, "component")
            if a.spread and not f.effects:
                problems.append(
                    f"{where}.aggravators[{n}].spread: spreading needs the fault's own "
                    "'effects' (they are what spreads)"
                )
        if f.lasting is not None:
            lw = f"{where}.lasting"
            for name in f.lasting.on or []:
                ref(f"{lw}.on", name, names, "component")
            for n, action in enumerate(f.lasting.recovery):
                ref(f"{lw}.recovery[{n}]", action, MITIGATIONS, "action")
            for on in f.lasting.on or [f.target]:
                for n, e in enumerate(f.lasting.effects):
                    if on in names:
                        effect(f"{lw}.effects[{n}]", e, on)
