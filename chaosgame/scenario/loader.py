"""Load scenario YAML safely, keeping the line and column of every value.

The loader composes YAML nodes with PyYAML's safe composer and builds plain Python values by
itself, so that:

* nothing but plain data is ever constructed (no tags, no objects);
* only ``true``/``false`` are booleans: ``on``, ``no``, ``yes`` stay strings;
* dates stay strings (no timestamp resolver);
* every value's position is kept and validation errors read ``file:line:col: message``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from chaosgame.scenario.model import Scenario

Loc = tuple[int | str, ...]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")


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


def _build(node: yaml.Node, loc: Loc, marks: dict[Loc, tuple[int, int]], path: str) -> Any:
    marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), marks, path) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise ScenarioError([Problem(path, line, col, "keys must be plain names")])
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise ScenarioError([Problem(path, line, col, f"'{key}' is given twice")])
            marks[(*loc, key, "__key__")] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _build(value_node, (*loc, key), marks, path)
        return out
    raise ScenarioError([Problem(path, 1, 1, "unsupported YAML node")])


def parse_yaml(text: str, path: str = "<string>") -> tuple[Any, dict[Loc, tuple[int, int]]]:
    """Parse YAML text into plain data and a map from data path to (line, column)."""
    marks: dict[Loc, tuple[int, int]] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        raise ScenarioError([Problem(path, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(path, 1, 1, f"YAML error: {exc}")]) from None
    if node is None:
        raise ScenarioError([Problem(path, 1, 1, "the file is empty")])
    return _build(node, (), marks, path), marks


def _position(loc: Loc, marks: dict[Loc, tuple[int, int]], key: bool = False) -> tuple[int, int]:
    if key and (*loc, "__key__") in marks:
        return marks[(*loc, "__key__")]
    probe = loc
    while probe:
        if probe in marks:
            return marks[probe]
        probe = probe[:-1]
    return marks.get((), (1, 1))


def _known_fields(data: Any, loc: Loc) -> list[str]:
    """Field names allowed where an unknown key was found, for a 'did you mean' hint."""
    from pydantic import BaseModel

    model: Any = Scenario
    node = data
    for part in loc[:-1]:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        fields = getattr(model, "model_fields", {})
        info = fields.get(part)
        node = node.get(part) if isinstance(node, dict) else None
        if info is None:
            return []
        model = _model_of(info.annotation, node)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _model_of(annotation: Any, node: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    stack = [annotation]
    found = []
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            found.append(a)
        stack.extend(get_args(a))
    if len(found) == 1:
        return found[0]
    if isinstance(node, dict):
        for model in found:
            for disc in ("kind", "action"):
                field = model.model_fields.get(disc)
                if field is not None and node.get(disc) in get_args(field.annotation):
                    return model
    return None


def _loc_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def translate(
    exc: ValidationError, data: Any, marks: dict[Loc, tuple[int, int]], path: str
) -> list[Problem]:
    """Turn pydantic errors into positioned, plain-language problems."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(
            p for p in err["loc"] if not (isinstance(p, str) and "[" in p and p.endswith("]"))
        )
        loc = _strip_union_tags(loc, data)
        kind = err["type"]
        where = _loc_text(loc)
        if kind == "extra_forbidden":
            name = str(loc[-1])
            known = _known_fields(data, loc)
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else (f"; allowed: {', '.join(known)}" if known else "")
            )
            message = f"unknown key '{name}' in {_loc_text(loc[:-1]) or 'the scenario'}{hint}"
            line, col = _position(loc, marks, key=True)
        elif kind == "missing":
            message = f"{where}: this field is required"
            line, col = _position(loc[:-1], marks)
        elif kind == "union_tag_invalid":
            ctx = err.get("ctx", {})
            given = ctx.get("tag", "?")
            expected = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
            close = difflib.get_close_matches(str(given), expected, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(expected)}"
            message = f"{where}: unknown kind '{given}'{hint}"
            line, col = _position((*loc, "kind"), marks)
        elif kind == "union_tag_not_found":
            message = f"{where}: say which kind this is (add 'kind:' or 'action:')"
            line, col = _position(loc, marks)
        elif kind == "value_error" and not loc:
            for part in str(err["msg"]).removeprefix("Value error, ").split("\n"):
                ref_loc, text = _split_reference(part)
                line, col = _position(ref_loc, marks)
                problems.append(Problem(path, line, col, text))
            continue
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            got = err.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
            message = f"{where}: {_plain(kind, msg)}{shown}"
            line, col = _position(loc, marks)
        problems.append(Problem(path, line, col, message))
    problems.sort(key=lambda p: (p.line, p.col))
    return problems


def _strip_union_tags(loc: Loc, data: Any) -> Loc:
    """Drop the discriminator values pydantic inserts into ``loc`` (``faults.0.bad-deploy``)."""
    out: list[int | str] = []
    node = data
    for part in loc:
        if (
            isinstance(part, str)
            and isinstance(node, dict)
            and part not in node
            and part in (node.get("kind"), node.get("action"))
        ):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


_REF = re.compile(r"^([a-z_]+)(\[(\d+)\])?(\.([a-z_]+))?(\[(\d+)\])?(\.([a-z_]+))?: (.*)$")


def _split_reference(text: str) -> tuple[Loc, str]:
    """``faults[0].target: unknown ...`` -> (("faults", 0, "target"), full text)."""
    m = _REF.match(text)
    if not m:
        return (), text
    loc: list[int | str] = [m.group(1)]
    if m.group(3):
        loc.append(int(m.group(3)))
    if m.group(5):
        loc.append(m.group(5))
    if m.group(7):
        loc.append(int(m.group(7)))
    if m.group(9):
        loc.append(m.group(9))
    return tuple(loc), text


def _plain(kind: str, msg: str) -> str:
    plain = {
        "bool_type": "must be true or false (write true/false, not yes/no/on/off)",
        "int_type": "must be a whole number",
        "float_type": "must be a number",
        "string_type": "must be text (quote it)",
        "list_type": "must be a list",
        "model_type": "must be a mapping of keys to values",
        "dict_type": "must be a mapping of keys to values",
    }
    return plain.get(kind, msg[0].lower() + msg[1:] if msg else kind)


def load_scenario_text(text: str, path: str = "<string>") -> Scenario:
    """Validate YAML text into a :class:`Scenario`; raise :class:`ScenarioError` otherwise."""
    data, marks = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(path, 1, 1, "a scenario must be a mapping of keys")])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(translate(exc, data, marks, path)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            [Problem(str(p), 1, 1, f"cannot read the file: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError([Problem(str(p), 1, 1, "the file is not UTF-8 text")]) from None
    return load_scenario_text(text, str(p))
