"""Load scenario YAML safely, keeping the file, line and column of every value.

The loader composes YAML nodes with PyYAML's safe composer (libyaml's when PyYAML has it) and
builds plain Python values by itself, so that:

* nothing but plain data is ever constructed (no tags, no objects);
* only ``true``/``false`` are booleans: ``on``, ``no``, ``yes`` stay strings;
* dates stay strings (no timestamp resolver), and so do ``12:30``, ``010`` and ``.inf``;
* every value's position is kept and validation errors read ``file:line:col: message``;
* every problem in a file is reported at once: duplicate keys, field errors, and the
  references between parts (an edge to an unknown component) even when fields are wrong;
* a scenario may ``extends:`` a shared topology file (``chaosgame.scenario.topology``); errors
  in what it inherits point into that file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from chaosgame.scenario.model import Scenario
from chaosgame.scenario.yamlread import (
    Loc,
    Mark,
    Marks,
    Problem,
    ScenarioError,
    parse_yaml,
    read_text,
)

__all__ = [
    "Loc",
    "Mark",
    "Marks",
    "Problem",
    "ScenarioError",
    "file_kind",
    "load_scenario",
    "load_scenario_data",
    "load_scenario_text",
    "parse_yaml",
    "not_a_scenario",
    "read_text",
    "validate_file",
]

FileKind = Literal["scenario", "topology"]


def _sorted(problems: list[Problem], main: str) -> list[Problem]:
    seen: set[tuple[str, int, int, str]] = set()
    out = []
    for p in problems:
        key = (p.path, p.line, p.col, p.message.split(";")[0])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.path != main, p.path, p.line, p.col))


def load_scenario_data(
    data: Any,
    path: str = "<string>",
    marks: Marks | None = None,
    problems: list[Problem] | None = None,
) -> Scenario:
    """Validate plain data (as YAML gives it) into a :class:`Scenario`.

    ``marks`` maps data paths to positions (without it every problem is placed at 1:1 of
    ``path``); ``problems`` are ones already found (they are reported with the rest).
    """
    from chaosgame.scenario.errors import translate
    from chaosgame.scenario.references import check_raw

    marks = marks if marks is not None else {}
    found = list(problems or [])
    if not isinstance(data, dict):
        found.append(Problem(path, 1, 1, "a scenario must be a mapping of keys to values"))
        raise ScenarioError(_sorted(found, path))
    try:
        raw = [_place(loc, msg, marks, path) for loc, msg in check_raw(data)]
    except RecursionError:
        raw = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        translated = translate(exc, data, marks, path)
        covered = {(p.path, p.line, p.col) for p in raw}
        translated = [p for p in translated if not _dup(p, covered)]
        # a value the reader refused (a 5,000-digit number) is said once, by the reader
        read = {(p.path, p.line, p.col) for p in found}
        translated = [p for p in translated if (p.path, p.line, p.col) not in read]
        if any("is already used by" in p.message for p in raw):
            # the raw check placed each duplicate name; the model's summary adds nothing
            translated = [p for p in translated if "duplicate names" not in p.message]
        raise ScenarioError(_sorted(found + raw + translated, path)) from None
    if found or raw:
        raise ScenarioError(_sorted(found + raw, path))
    return scenario


def _dup(p: Problem, covered: set[tuple[str, int, int]]) -> bool:
    """A reference message from the model that the raw check already placed here."""
    return (p.path, p.line, p.col) in covered and "unknown" in p.message


def _place(loc: Loc, message: str, marks: Marks, path: str) -> Problem:
    from chaosgame.scenario.errors import position

    where, line, col = position(loc, marks, path)
    return Problem(where, line, col, message)


def load_scenario_text(
    text: str, path: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate YAML text into a :class:`Scenario`; raise :class:`ScenarioError` otherwise.

    ``base_dir`` is where ``extends:`` paths are looked up (default: the folder of ``path``).
    """
    from chaosgame.scenario.topology import apply_extends

    data, marks, problems = parse_yaml(text, path)
    if isinstance(data, dict) and "extends" in data:
        folder = Path(base_dir) if base_dir is not None else Path(path).parent
        data, marks, more = apply_extends(data, marks, path, folder)
        problems += more
    return load_scenario_data(data, path, marks, problems)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file."""
    return load_scenario_text(read_text(path), str(path))


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of a scenario or topology file (:func:`file_kind` says which it is),
    including a call graph the engine cannot run."""
    return validate_report(path)[0]


def validate_report(path: str | Path) -> tuple[list[Problem], list[Problem]]:
    """The problems of a file (as :func:`validate_file`, including an alias that would lead to
    two scenarios: :mod:`chaosgame.scenario.aliases`) and, for a scenario without any, its
    warnings: an id or title that names the cause (:mod:`chaosgame.scenario.naming`)."""
    from chaosgame.scenario.aliases import alias_problems
    from chaosgame.scenario.graph import TopologyError, check_acyclic
    from chaosgame.scenario.naming import naming_warnings

    try:
        topology = file_kind(path) == "topology"
        sc = _load_topology_as_scenario(path) if topology else load_scenario(path)
        check_acyclic(sc)
    except ScenarioError as exc:
        return exc.problems, []
    except TopologyError as exc:
        line, col = _dependencies_mark(path)
        return [Problem(str(path), line, col, str(exc))], []
    if topology:
        return [], []
    problems = alias_problems(sc, path)
    return problems, [] if problems else naming_warnings(sc, path)


def file_kind(path: str | Path) -> FileKind:
    """What a file is: ``"topology"`` for a shared topology (a mapping with none of the keys
    only a scenario has, such as ``id``, ``title``, ``faults`` or ``truth``), ``"scenario"``
    for anything else, including a file that cannot be read or parsed (loading it as a
    scenario says why). ``validate`` and ``check`` both decide with this."""
    from chaosgame.scenario.topology import TOPOLOGY_FILE_KEYS

    try:
        data, _, _ = parse_yaml(read_text(path), str(path))
    except ScenarioError:
        return "scenario"
    if not isinstance(data, dict) or not data:
        return "scenario"
    scenario_only = set(Scenario.model_fields) - set(TOPOLOGY_FILE_KEYS)
    return "scenario" if scenario_only & set(data) else "topology"


def not_a_scenario(path: str | Path) -> str:
    """What ``check`` (or anything that plays scenarios) says about a topology file."""
    return (
        f"{path}: this is a topology, not a scenario (a shared fleet with no incident to "
        "play): check a scenario that reuses it with `extends:`, or validate it with "
        f"`chaosgame validate {path}`"
    )


def _load_topology_as_scenario(path: str | Path) -> Scenario:
    """Validate a topology file as the fleet of a scenario with nothing else in it."""
    import json

    stub = "<a scenario that only extends the topology>"
    text = (
        "id: topology\ntitle: topology\ntopics: [slo]\n"
        f"extends: {json.dumps(str(Path(path).resolve()))}\n"
        "truth: {root_cause: {kind: no-fault}}\n"
    )
    try:
        return load_scenario_text(text, stub)
    except ScenarioError as exc:
        here = str(Path(path).resolve())
        raise ScenarioError(
            [
                Problem(str(path), *((1, 1) if p.path == stub else (p.line, p.col)), p.message)
                if p.path in (stub, here)
                else p
                for p in exc.problems
            ]
        ) from None


def _dependencies_mark(path: str | Path) -> tuple[int, int]:
    try:
        _, marks, _ = parse_yaml(read_text(path), str(path))
    except ScenarioError:
        return 1, 1
    mark = marks.get(("dependencies", "__key__"), (str(path), 1, 1))
    return mark[1], mark[2]
