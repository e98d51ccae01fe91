"""Read YAML into plain data with the file, line and column of every value.

Nothing here imports the scenario model, so reading a file's header (the home screen's list,
``chaosgame list``) costs only the parse. See :mod:`chaosgame.scenario.loader` for the rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[int | str, ...]
Mark = tuple[str, int, int]
"""(path, line, column), 1-based."""
Marks = dict[Loc, Mark]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_STANDARD_TAG = "tag:yaml.org,2002:"
MAX_NODES = 200_000
"""More values than this (aliases expanding exponentially) is refused."""
MAX_BYTES = 8 * 1024 * 1024
"""The largest scenario or topology file read (8 MiB; a 10,000-component fleet is about 1 MiB).
A larger file, or an endless one such as ``/dev/zero``, is refused before it is parsed."""
MAX_DIGITS = 40
"""The most digits a whole number may be written with (a 64-bit seed needs 20)."""


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


class _BadNumber(ValueError):
    """A number the reader refuses (too many digits, or too large to be finite)."""


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block scalars are always strings (plain is None or "")
        return text
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~", ""):
        return None
    if _INT.match(text):
        digits = text.replace("_", "")
        if len(digits.lstrip("+-")) > MAX_DIGITS:
            raise _BadNumber(
                f"a number written with {len(digits.lstrip('+-')):,} digits is too large; "
                f"numbers in a scenario have at most {MAX_DIGITS} digits"
            )
        return int(digits)
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        value = float(text.replace("_", ""))
        if math.isinf(value):
            shown = text if len(text) <= 24 else text[:21] + "..."
            raise _BadNumber(f"{shown} is too large a number (it is infinite as a float)")
        return value
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
            try:
                return _scalar(node)
            except _BadNumber as exc:
                self.problem(node, str(exc))
                return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                try:
                    key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                except _BadNumber:
                    key = None
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


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)
"""libyaml's composer when PyYAML was built with it: about 20x faster than the Python one."""


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when present; on any error compose again in Python, whose
    messages (and acceptance of edge cases) are the ones the loader reports."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, UnicodeError, ValueError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, path: str = "<string>") -> tuple[Any, Marks, list[Problem]]:
    """Parse YAML text into plain data, a map from data path to position, and the problems
    found while building (duplicate keys, tags). A syntax error raises :class:`ScenarioError`."""
    try:
        node = _compose(text)
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


def read_text(path: str | Path) -> str:
    """A file's text, or a :class:`ScenarioError` saying why it cannot be read.

    At most :data:`MAX_BYTES` are read: a larger file (or an endless device) is refused."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ScenarioError([Problem(str(p), 1, 1, f"cannot read the file: {why}")]) from None
    if len(data) > MAX_BYTES:
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    1,
                    1,
                    f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the most a "
                    "scenario or topology file may be",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(
            [Problem(str(p), line, col, "the file is not UTF-8 text (a byte here is not UTF-8)")]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it


def file_marks(path: str | Path) -> Marks:
    """Where every value of a file is (empty when it cannot be read or parsed): for placing
    a message about a file that already loaded."""
    try:
        return parse_yaml(read_text(path), str(path))[1]
    except (ScenarioError, OSError):
        return {}
