"""Recipes: how each fault kind is set up in a generated fleet.

A recipe is registered for one root-cause kind (``@recipe("bad-deploy", needs=...)``). Given a
:class:`Ctx` (the fleet, a random stream, the onset time, the intensity), it picks a target
that fits, writes the change history that brings the fault (a deploy, a flag, a config push)
and returns a :class:`Plan`: the faults, the truth (the root cause, the causal chain the engine
produces, the reference solution), and the words the briefing and debrief need. Recipes raise
:class:`~chaosgame.generate.system.NoFit` when the fleet cannot host the kind; the builder then
builds another fleet.

Recipe modules are ``chaosgame/generate/recipes_*.py``; importing :mod:`chaosgame.generate.recipes`
registers them all.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from chaosgame.generate.system import FEATURES, NoFit, System

Harm = Literal["errors", "slow", "wrong", "lost", "none"]
"""What users see: requests failing, requests slow, wrong answers, lost data, or nothing."""


@dataclass
class Plan:
    """What a recipe sets up: the faults and the truth about them."""

    kind: str
    root: str | None
    faults: list[dict[str, Any]]
    chain: list[dict[str, Any]]
    solution: list[dict[str, Any]]
    summary: str
    """The debrief's account: what broke, how it spread, what fixed it (2-4 sentences)."""
    signals: list[str]
    """What pointed to the cause, as the debrief lists it."""
    harm: Harm = "errors"
    journeys: list[str] = field(default_factory=list)
    """The journeys users notice failing (the briefing's page); all hurt ones by default."""
    contributing: list[str] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    """Questions of the scenario's own (question, answer, topics, explanation)."""
    protect: set[str] = field(default_factory=set)
    """Components a red herring must not touch (the chain's are protected anyway)."""
    external: bool = False
    """The cause lies with a third party (``external-dependency`` is a right answer)."""


@dataclass
class Ctx:
    """What a recipe works with."""

    system: System
    rng: random.Random
    at: float
    """When the fault begins (seconds after the window starts)."""
    intensity: float
    """0.5-1: how hard the fault hits, lower on harder settings (recipes scale by it)."""
    deploys: list[dict[str, Any]] = field(default_factory=list)
    configs: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """Other top-level scenario fields a recipe sets (evidence, harm, noise, data...)."""

    # --------------------------------------------------------------- history helpers

    def bump(self, component: str, major: bool = False) -> tuple[str, str]:
        """The component's current version and a next one (which it does not yet run)."""
        old = str(self.system.components[component].get("version", "v1.0.0"))
        parts = old.lstrip("v").split(".")
        nums = [int(p) if p.isdigit() else 0 for p in parts] + [0, 0, 0]
        if major:
            new = f"v{nums[0] + 1}.0.0"
        elif self.rng.random() < 0.5:
            new = f"v{nums[0]}.{nums[1] + 1}.0"
        else:
            new = f"v{nums[0]}.{nums[1]}.{nums[2] + 1}"
        return old, new

    def deploy(
        self,
        component: str,
        version: str,
        at: float,
        note: str = "",
        duration: float = 240.0,
        **extra: Any,
    ) -> str:
        """Add a deploy to the history; its id."""
        ident = f"{component}-{version}"
        entry: dict[str, Any] = {
            "id": ident,
            "at": at,
            "component": component,
            "version": version,
            "duration": duration,
            "author": self.author(component),
        }
        if note:
            entry["note"] = note
        entry.update(extra)
        self.deploys.append(entry)
        return ident

    def config(
        self,
        component: str,
        key: str,
        value: str,
        previous: str,
        at: float,
        author: str | None = None,
    ) -> str:
        """Add a config change to the history; its id."""
        ident = f"{component}-{key.replace('.', '-').replace('_', '-')}"[:60]
        n = 2
        while any(c["id"] == ident for c in self.configs):
            ident = f"{ident[:57]}-{n}"
            n += 1
        self.configs.append(
            {
                "id": ident,
                "at": at,
                "component": component,
                "key": key,
                "value": value,
                "previous": previous,
                "author": author or self.author(component),
            }
        )
        return ident

    def flag(
        self,
        name: str,
        components: list[str],
        on_at: float | None,
        description: str = "",
        percentage: float = 100.0,
        **extra: Any,
    ) -> str:
        """Add a feature flag (turned on at ``on_at``, or off throughout when None)."""
        entry: dict[str, Any] = {"name": name, "components": components}
        if description:
            entry["description"] = description
        if on_at is not None:
            entry["changes"] = [{"at": on_at, "on": True, "percentage": percentage}]
        entry.update(extra)
        self.system.flags.append(entry)
        return name

    def author(self, component: str) -> str:
        team = self.system.components.get(component, {}).get("team")
        return f"{team}-ci" if team else "deploy-bot"

    # --------------------------------------------------------------- choosing

    def choose(self, names: list[str]) -> str:
        return self.system.pick(self.rng, names)

    def hurt_journeys(self, component: str) -> list[str]:
        return [j["name"] for j in self.system.journeys_through(component)]

    def path_to(self, component: str) -> list[str]:
        """The calls from a hurt journey's entry down to ``component`` (entry first)."""
        for j in self.system.journeys_through(component):
            prev: dict[str, str | None] = {j["entry"]: None}
            todo = [j["entry"]]
            while todo:
                name = todo.pop(0)
                if name == component:
                    path = [name]
                    while prev[path[-1]] is not None:
                        path.append(str(prev[path[-1]]))
                    return path[::-1]
                for d in self.system.deps:
                    if (
                        d["from"] == name
                        and d["to"] not in prev
                        and d.get("mode", "sync") == "sync"
                        and d.get("required", True)
                    ):
                        prev[d["to"]] = name
                        todo.append(d["to"])
        return [component]

    def spread(self, component: str, how: str = "fails") -> list[dict[str, Any]]:
        """Causal-chain steps for the callers between ``component`` and the users."""
        path = self.path_to(component)
        steps = []
        for callee, caller in zip(path[::-1], path[::-1][1:], strict=False):
            if how == "slow":
                what = f"waits on its calls to {callee}, so its own requests slow down"
            else:
                what = f"fails the requests whose call to {callee} fails"
            steps.append({"component": caller, "what": what})
        return steps

    def callers_on_paths(self, component: str) -> list[str]:
        """Every caller of ``component`` that needs it and that some journey goes through."""
        out = [
            c for c in self.system.required_callers(component) if self.system.journeys_through(c)
        ]
        if not out:
            raise NoFit(f"no journey needs {component}")
        return out

    def caller_on_path(self, component: str) -> str:
        """A caller of ``component`` that some journey's requests go through."""
        callers = [
            c for c in self.system.required_callers(component) if self.system.journeys_through(c)
        ]
        return self.choose(callers)


Build = Callable[[Ctx], Plan]


@dataclass(frozen=True)
class Recipe:
    kind: str
    build: Build
    needs: frozenset[str]
    external: bool = False
    weight: float = 1.0
    """How often the kind is drawn, relative to the others."""


RECIPES: dict[str, Recipe] = {}


def recipe(
    kind: str, needs: tuple[str, ...] = (), external: bool = False, weight: float = 1.0
) -> Callable[[Build], Build]:
    """Register ``build`` as the recipe for ``kind``."""
    unknown = set(needs) - FEATURES
    if unknown:
        raise ValueError(f"recipe {kind}: unknown needs {sorted(unknown)}")

    def wrap(build: Build) -> Build:
        if kind in RECIPES:
            raise ValueError(f"two recipes for {kind}")
        RECIPES[kind] = Recipe(kind, build, frozenset(needs), external, weight)
        return build

    return wrap


__all__ = ["RECIPES", "Ctx", "Harm", "NoFit", "Plan", "Recipe", "recipe"]
