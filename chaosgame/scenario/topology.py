"""Shared topologies: a scenario that says ``extends: topologies/shop.yaml`` reuses a fleet.

A topology file holds the parts of a scenario that describe the fleet: ``regions``,
``clusters``, ``components``, ``dependencies``, ``journeys``, ``tenants`` and ``slos`` (and
may itself extend another topology). The scenario's own entries are merged in:

* an entry with the same identity as an inherited one changes it, key by key (nested
  mappings such as ``telemetry`` or ``retries`` are merged too); identity is the ``name``,
  ``from``/``to`` for dependencies, and ``journey``/``sli`` for SLOs;
* any other entry is added after the inherited ones.

So ``components: [{name: payments, version: v3.1.9}]`` changes one version and keeps the rest.
Every value keeps the file and position it came from, so errors point into the right file.

``extends`` is a path relative to the scenario's folder, or the bare name of a curated
topology (``shop`` for ``scenarios/topologies/shop.yaml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaosgame.scenario.schema import TOPOLOGY_KEYS

if TYPE_CHECKING:
    from chaosgame.scenario.loader import Loc, Mark, Marks, Problem

TOPOLOGY_FILE_KEYS = (*TOPOLOGY_KEYS, "extends", "description")
"""Keys a topology file may hold."""
MAX_DEPTH = 8


def _identity(key: str, item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    if key == "dependencies":
        pair = (item.get("from"), item.get("to"))
        return pair if all(isinstance(p, str) for p in pair) else None
    if key == "slos":
        pair = (item.get("journey"), item.get("sli", "availability"))
        return pair if all(isinstance(p, str) for p in pair) else None
    name = item.get("name")
    return name if isinstance(name, str) else None


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _deep_merge(base.get(k), v) if k in base else v
        return out
    return over


Entries = list[tuple["Loc", "Mark"]]


def _group(marks: Marks) -> tuple[dict[Any, Entries], dict[Any, Entries]]:
    """The marks under each top-level key, and under each entry of a top-level list, in one
    pass: moving an entry then costs its own size, so a merge is linear in the files' size."""
    by_key: dict[Any, Entries] = {}
    by_item: dict[Any, Entries] = {}
    for loc, mark in marks.items():
        if not loc:
            continue
        by_key.setdefault(loc[0], []).append((loc, mark))
        if len(loc) >= 2 and isinstance(loc[1], int):
            by_item.setdefault(loc[:2], []).append((loc, mark))
    return by_key, by_item


def _move(entries: Entries, out: Marks, cut: int, new: Loc) -> None:
    """Copy ``entries`` into ``out`` with their first ``cut`` parts replaced by ``new``."""
    for loc, mark in entries:
        out[(*new, *loc[cut:])] = mark


def merge(
    base: dict[str, Any], base_marks: Marks, over: dict[str, Any], over_marks: Marks
) -> tuple[dict[str, Any], Marks]:
    """``over`` (a scenario or topology) on top of ``base`` (a topology), with positions."""
    data = {k: v for k, v in over.items() if k not in TOPOLOGY_KEYS}
    marks: Marks = {
        loc: m for loc, m in over_marks.items() if not loc or loc[0] not in TOPOLOGY_KEYS
    }
    base_keys, base_items = _group(base_marks)
    over_keys, over_items = _group(over_marks)
    for key in TOPOLOGY_KEYS:
        inherited, mine = base.get(key), over.get(key)
        if key not in base:
            if key in over:
                data[key] = mine
                _move(over_keys.get(key, []), marks, 1, (key,))
            continue
        if key not in over or not isinstance(mine, list) or not isinstance(inherited, list):
            source, source_keys = (over, over_keys) if key in over else (base, base_keys)
            data[key] = source[key]
            _move(source_keys.get(key, []), marks, 1, (key,))
            continue
        merged: list[Any] = []
        where: dict[Any, int] = {}
        for i, item in enumerate(inherited):
            ident = _identity(key, item)
            if ident is not None and ident not in where:
                where[ident] = len(merged)
            _move(base_items.get((key, i), []), marks, 2, (key, len(merged)))
            merged.append(item)
        for j, item in enumerate(mine):
            ident = _identity(key, item)
            if ident is not None and ident in where:
                k = where[ident]
                merged[k] = _deep_merge(merged[k], item)
                _move(over_items.get((key, j), []), marks, 2, (key, k))
            else:
                _move(over_items.get((key, j), []), marks, 2, (key, len(merged)))
                merged.append(item)
        data[key] = merged
        for suffix in ((), ("__key__",)):
            loc = (key, *suffix)
            if loc in over_marks:
                marks[loc] = over_marks[loc]
    return data, marks


def _locate(name: str, folder: Path) -> Path:
    candidate = folder / name
    if candidate.exists() or "/" in name or name.endswith((".yaml", ".yml")):
        return candidate
    from chaosgame.scenario.library import scenario_dir

    try:
        return scenario_dir() / "topologies" / f"{name}.yaml"
    except FileNotFoundError:
        return candidate


def load_topology(
    path: Path, problems: list[Problem], chain: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], Marks] | None:
    """Parse a topology file (following its own ``extends``); None when it cannot be read."""
    from chaosgame.scenario.errors import position
    from chaosgame.scenario.loader import Problem, ScenarioError, parse_yaml, read_text

    try:
        data, marks, found = parse_yaml(read_text(path), str(path))
    except ScenarioError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(found)
    if not isinstance(data, dict):
        problems.append(Problem(str(path), 1, 1, "a topology must be a mapping of keys to values"))
        return None
    import difflib

    for key in list(data):
        if key not in TOPOLOGY_FILE_KEYS:
            file, line, col = position((key,), marks, str(path), key=True)
            close = difflib.get_close_matches(key, TOPOLOGY_FILE_KEYS, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; allowed: {', '.join(TOPOLOGY_FILE_KEYS)}"
            )
            problems.append(
                Problem(file, line, col, f"unknown key '{key}' in a topology file{hint}")
            )
            del data[key]
    data.pop("description", None)
    if "extends" in data:
        return _extend(data, marks, str(path), path.parent, problems, (*chain, path))
    return data, marks


def _extend(
    data: dict[str, Any],
    marks: Marks,
    path: str,
    folder: Path,
    problems: list[Problem],
    chain: tuple[Path, ...],
) -> tuple[dict[str, Any], Marks]:
    from chaosgame.scenario.errors import position
    from chaosgame.scenario.loader import Problem

    target = data.pop("extends")
    file, line, col = position(("extends",), marks, path)
    if not isinstance(target, str) or not target.strip():
        problems.append(Problem(file, line, col, "extends: must be the path of a topology file"))
        return data, marks
    shown = target if len(target) <= 80 else f"{target[:77]}..."
    shown = shown.replace("\x00", "\\0")
    try:
        found = _locate(target, folder)
        looping = found.resolve() in {p.resolve() for p in chain}
        is_file = found.is_file()
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
        why = getattr(exc, "strerror", None) or "not a usable file name"
        problems.append(Problem(file, line, col, f"extends: '{shown}' cannot be opened: {why}"))
        return data, marks
    if looping:
        problems.append(Problem(file, line, col, f"extends: '{shown}' extends itself in a loop"))
        return data, marks
    if len(chain) >= MAX_DEPTH:
        problems.append(Problem(file, line, col, "extends: too many levels of topologies"))
        return data, marks
    if not is_file:
        where = str(found) if len(str(found)) <= 120 else f"...{str(found)[-117:]}"
        problems.append(
            Problem(file, line, col, f"extends: no topology file '{shown}' (looked for {where})")
        )
        return data, marks
    base = load_topology(found, problems, chain)
    if base is None:
        problems.append(Problem(file, line, col, f"extends: '{shown}' cannot be used (see above)"))
        return data, marks
    return merge(base[0], base[1], data, marks)


def apply_extends(
    data: dict[str, Any], marks: Marks, path: str, folder: Path
) -> tuple[dict[str, Any], Marks, list[Problem]]:
    """Resolve a scenario's ``extends`` into one merged scenario, with its problems."""
    problems: list[Problem] = []
    here = Path(path)
    merged, merged_marks = _extend(dict(data), marks, path, folder, problems, (here,))
    return merged, merged_marks, problems
