"""Layers point one way, and frontends see only the player view.

The import graph is read statically from every module's source (imports at the top, inside
functions and under ``TYPE_CHECKING`` alike), so a lazy import cannot slip past.

    scenario -> engine -> telemetry -> game -> proof -> generate -> evaluate
                                        |                     |
                      frontends (tui, console, cli, agent, classroom): player view only, and a
                      generated incident through the generator's entry points
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

import chaosgame
from chaosgame.game.player import PlayerView
from chaosgame.scenario import library

ROOT = Path(chaosgame.__file__).parent

LAYERS = ["scenario", "engine", "telemetry", "game", "proof", "generate", "evaluate"]
"""Core packages from the ground floor up: each may import only itself and those below."""

FRONTENDS = (
    "chaosgame.tui",
    "chaosgame.console",
    "chaosgame.cli",
    "chaosgame.agent",
    "chaosgame.classroom",
)

FRONTEND_FORBIDDEN = (
    "chaosgame.engine",
    "chaosgame.telemetry",
    "chaosgame.game.session",
    "chaosgame.game.views",
    "chaosgame.game.scoring",
    "chaosgame.game.players",
    "chaosgame.game.debrief",
    "chaosgame.game.diagnosis",
    "chaosgame.game.impact",
)
"""What a frontend may never import: the simulation, raw telemetry, and the session or the
scoring behind the player view."""

GENERATOR_DOORS = (
    "chaosgame.generate",
    "chaosgame.generate.menu",
    "chaosgame.generate.codes",
    "chaosgame.generate.build",
    "chaosgame.generate.difficulty",
)
"""What a frontend may use of the generator: a generated incident is a scenario source, as a
file is, so a frontend takes it through the generator's entry points (the home screen's
menu, seed codes, ``build`` and the difficulty estimate), never through the parts that plan
the hidden truth (plan, system, recipes, story)."""

HIDDEN_FIELDS = ("truth", "faults", "red_herrings", "reference_solution", "root_cause")
"""Scenario fields only scoring and the debrief read."""


def _modules() -> dict[str, Path]:
    out = {}
    for m in pkgutil.walk_packages(chaosgame.__path__, "chaosgame."):
        rel = m.name.removeprefix("chaosgame.").replace(".", "/")
        path = ROOT / f"{rel}.py"
        if not path.exists():
            path = ROOT / rel / "__init__.py"
        out[m.name] = path
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every chaosgame module ``name`` imports, anywhere in its source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
    return {m for m in found if m.startswith("chaosgame.")}


def _layer(module: str) -> str | None:
    part = module.split(".")[1] if module.count(".") else ""
    return part if part in LAYERS else None


def test_the_walk_finds_every_layer_and_frontend() -> None:
    assert {_layer(m) for m in MODULES} >= set(LAYERS)
    assert any(m.startswith("chaosgame.tui.") for m in MODULES)
    assert "chaosgame.console" in MODULES
    assert "chaosgame.game.player" in _imports("chaosgame.console")


@pytest.mark.parametrize("name", sorted(m for m in MODULES if _layer(m)))
def test_a_layer_imports_only_itself_and_below(name: str) -> None:
    own = LAYERS.index(_layer(name) or "")
    upward = sorted(
        m
        for m in _imports(name)
        if m != "chaosgame" and LAYERS.index(_layer(m) or "generate") > own
    )
    upward = [m for m in upward if _layer(m) is not None]
    assert not upward, f"{name} imports a higher layer: {upward}"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith(FRONTENDS)))
def test_a_frontend_sees_only_the_player_view(name: str) -> None:
    bad = sorted(m for m in _imports(name) if m.startswith(FRONTEND_FORBIDDEN))
    assert not bad, f"{name} reaches past the player view: {bad}"
    inner = sorted(
        m for m in _imports(name) if m.startswith("chaosgame.generate") and m not in GENERATOR_DOORS
    )
    assert not inner, f"{name} reaches into the generator's planning: {inner}"
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    peeks = sorted(
        {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in HIDDEN_FIELDS
        }
    )
    assert not peeks, f"{name} reads hidden scenario fields: {peeks}"


def _reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` through public attributes and containers."""
    seen: dict[int, object] = {}
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | type(None)):
            continue
        seen[id(obj)] = obj
        if isinstance(obj, dict):
            todo += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            todo += list(obj)
        else:
            for attr in dir(type(obj)) if not isinstance(obj, type) else ():
                if attr.startswith("_"):
                    continue
                static = getattr(type(obj), attr, None)
                if callable(static) and not isinstance(static, property):
                    continue
                try:
                    todo.append(getattr(obj, attr))
                except Exception:  # a property that needs the game to have ended
                    continue
    return list(seen.values())


def test_the_player_view_has_no_public_route_to_the_engine_or_the_truth() -> None:
    from chaosgame.engine.sim import Simulator
    from chaosgame.game.session import Session
    from chaosgame.scenario.model import Scenario, Truth

    view = PlayerView(library.load())
    view.start()
    view.act({"type": "query", "view": "map"})
    for obj in _reachable(view):
        assert not isinstance(obj, Simulator | Session | Scenario | Truth), type(obj)
    assert not hasattr(view, "__dict__"), "the view keeps no open attribute bag"
