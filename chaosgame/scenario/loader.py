"""Load scenario YAML safely, keeping the file, line and column of every value.

The loader composes YAML nodes with PyYAML's safe composer and builds plain Python values by
itself, so that:

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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from chaosgame.scenario.model import Scenario

Loc = tuple[int | str, ...]
Mark = tuple[str, int, int]
"""(path, line, column), 1-based."""
Marks = dict[Loc, Mark]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_STANDARD_TAG = "tag:yaml.org,2002:"
MAX_NODES = 200_000
"""More values than this (aliases expanding exponentially) is refused."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file."""

    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style is not None:  # quoted or block scalars are always strings
        return text
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~", ""):
        return None
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    return text


class _Builder:
    """Turns composed nodes into plain data, recording positions and non-fatal problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.marks: Marks = {}
        self.problems: list[Problem] = []
        self.count = 0

    def at(self, node: yaml.Node) -> Mark:
        return (self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node, message: str) -> None:
        _, line, col = self.at(node)
        self.problems.append(Problem(self.path, line, col, message))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ScenarioError(
                [Problem(self.path, 1, 1, "the file expands to too many values (aliases?)")]
            )
        self.marks[loc] = self.at(node)
        tag = node.tag or ""
        if tag.startswith("!") or (tag and not tag.startswith(_STANDARD_TAG)):
            self.problem(node, f"YAML tags such as '{tag}' are not allowed in scenarios")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if key == "<<":
                    self.problem(
                        key_node,
                        "YAML merge keys ('<<') are not supported; repeat "
                        "the values, or share a topology with 'extends:'",
                    )
                    continue
                if not isinstance(key, str):
                    self.problem(key_node, "keys must be plain names (quote it if it is a name)")
                    continue
                if key in out:
                    first = self.marks[(*loc, key, "__key__")]
                    self.problem(
                        key_node, f"'{key}' is given twice (first on line {first[1]}); keep one"
                    )
                    continue
                self.marks[(*loc, key, "__key__")] = self.at(key_node)
                out[key] = self.build(value_node, (*loc, key))
            return out
        self.problem(node, "unsupported YAML node")
        return None


def parse_yaml(text: str, path: str = "<string>") -> tuple[Any, Marks, list[Problem]]:
    """Parse YAML text into plain data, a map from data path to position, and the problems
    found while building (duplicate keys, tags). A syntax error raises :class:`ScenarioError`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context and "document" not in what:
            what = f"{what} ({exc.context})"
        raise ScenarioError([Problem(path, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(path, 1, 1, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from None
    if node is None:
        raise ScenarioError([Problem(path, 1, 1, "the file is empty")])
    builder = _Builder(path)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise ScenarioError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from None
    return data, builder.marks, builder.problems


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


def read_text(path: str | Path) -> str:
    """A file's text, or a :class:`ScenarioError` saying why it cannot be read."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(str(p), 1, 1, "the file is not UTF-8 text")]) from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ScenarioError([Problem(str(p), 1, 1, f"cannot read the file: {why}")]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file."""
    return load_scenario_text(read_text(path), str(path))


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of a scenario file, including a call graph the engine cannot run."""
    from chaosgame.engine.world import TopologyError, build_world

    try:
        sc = _load_topology_as_scenario(path) if _is_topology(path) else load_scenario(path)
        build_world(sc)
    except ScenarioError as exc:
        return exc.problems
    except TopologyError as exc:
        line, col = _dependencies_mark(path)
        return [Problem(str(path), line, col, str(exc))]
    return []


def _is_topology(path: str | Path) -> bool:
    """A shared topology file: a fleet without a scenario's id, title or truth."""
    try:
        data, _, _ = parse_yaml(read_text(path), str(path))
    except ScenarioError:
        return False
    return isinstance(data, dict) and not {"id", "title", "truth"} & set(data)


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
