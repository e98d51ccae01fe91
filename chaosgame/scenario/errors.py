"""Turn pydantic's validation errors into positioned, plain-language problems.

Each error's ``loc`` (``("faults", 0, "bad-deploy", "target")``) is cleaned of pydantic's
union tags, looked up in the loader's marks to find file, line and column, and its message is
rewritten in plain words with a suggestion where one helps ("did you mean 'retries'?").
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from chaosgame.scenario.action_rules import STEP_TAGS
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import format_duration, parse_duration, parse_signed_duration

if TYPE_CHECKING:
    from chaosgame.scenario.loader import Loc, Mark, Marks, Problem


def position(loc: Loc, marks: Marks, path: str, key: bool = False) -> Mark:
    """Where the value at ``loc`` (or its key, or its nearest parent) is written."""
    if key and (*loc, "__key__") in marks:
        return marks[(*loc, "__key__")]
    probe = loc
    while probe:
        if probe in marks:
            return marks[probe]
        probe = probe[:-1]
    return marks.get((), (path, 1, 1))


def loc_text(loc: Loc) -> str:
    """``("faults", 0, "target")`` -> ``faults[0].target``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    stack = [annotation]
    found = []
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            found.append(a)
        stack.extend(get_args(a))
    return found


def _model_of(annotation: Any, node: Any) -> Any:
    found = _models_in(annotation)
    if len(found) == 1:
        return found[0]
    if isinstance(node, dict):
        for model in found:
            for disc in ("kind", "action"):
                field = model.model_fields.get(disc)
                if field is not None and node.get(disc) in get_args(field.annotation):
                    return model
        for key in ("wait_until", "wait"):  # a reference step that is no mitigation
            if key in node:
                return next((m for m in found if key in m.model_fields), None)
    return None


def model_at(data: Any, loc: Loc) -> Any:
    """The pydantic model that validates the mapping at ``loc`` (None when unclear)."""
    model: Any = Scenario
    node = data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            continue
        fields = getattr(model, "model_fields", {})
        info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        node = node.get(part) if isinstance(node, dict) else None
        if info is None:
            return None
        model = _model_of(info.annotation, node)
        if model is None:
            return None
    return model


def _field_names(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _choices(model: Any, name: str) -> list[str]:
    """The allowed values of a Literal field, for messages."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    field = model.model_fields.get(name)
    if field is None:
        return []
    stack = [field.annotation]
    while stack:
        a = stack.pop()
        if get_origin(a) is Literal:
            return [str(v) for v in get_args(a)]
        stack.extend(get_args(a))
    return []


def _hint(given: str, known: list[str]) -> str:
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; allowed: {', '.join(known)}" if known else ""


_PLAIN = {
    "bool_type": "must be true or false (write true/false, not yes/no/on/off)",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text (put it in quotes)",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "too_short": "needs at least one entry",
}


def _plain(kind: str, msg: str) -> str:
    if kind in _PLAIN:
        return _PLAIN[kind]
    msg = msg.removeprefix("Value error, ").replace("Input should be", "must be")
    return msg[0].lower() + msg[1:] if msg else kind


def _strip_union_tags(loc: Loc, data: Any) -> Loc:
    """Drop the discriminator values pydantic inserts into ``loc`` (``faults.0.bad-deploy``)."""
    out: list[int | str] = []
    node = data
    for part in loc:
        if isinstance(part, str) and part in STEP_TAGS:
            continue  # a reference step's kind (mitigation, wait, wait_until)
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
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


_REF = re.compile(r"^([a-z_]+(?:\[\d+\])*(?:\.[a-z_]+(?:\[\d+\])*)*): (.*)$")
_PART = re.compile(r"([a-z_]+)|\[(\d+)\]")


def split_reference(text: str) -> tuple[Loc, str]:
    """``faults[0].target: unknown ...`` -> (("faults", 0, "target"), full text); any depth
    (``recovery.actions[0].requires[1].step: ...``)."""
    m = _REF.match(text)
    if not m:
        return (), text
    loc: list[int | str] = [
        int(index) if index else name for name, index in _PART.findall(m.group(1))
    ]
    return tuple(loc), text


_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _bound(kind: str, ctx: dict[str, Any], data: Any, loc: Loc) -> str:
    """``must be at most 1m`` for a duration, ``must be at most 1,000,000`` for a number."""
    key, words = _BOUNDS[kind]
    value = ctx.get(key)
    if not isinstance(value, int | float):
        return f"must be {words} {value}"
    model = model_at(data, loc[:-1]) if loc and isinstance(loc[-1], str) else None
    name = str(loc[-1]) if loc else ""
    value = _tightest(model, name, key, value)
    if _is_time(model, name):
        text = format_duration(abs(value))
        return f"must be {words} {'-' if value < 0 else ''}{text}"
    if float(value).is_integer():
        return f"must be {words} {int(value):,}"
    return f"must be {words} {value:g}"


def _metadata(model: Any, name: str) -> list[Any]:
    """Everything annotated on the field ``name`` of ``model``, nested aliases included."""
    fields = getattr(model, "model_fields", {})
    field = fields.get(name) or next((f for f in fields.values() if f.alias == name), None)
    if field is None:
        return []
    out = []
    stack: list[Any] = [field.annotation, *field.metadata]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(get_args(item))
        stack.extend(getattr(item, "metadata", ()) or ())
    return out


def _is_time(model: Any, name: str) -> bool:
    """Whether the field ``name`` of ``model`` is a duration or a time (``5m``, ``-2d``)."""
    funcs = (parse_duration, parse_signed_duration)
    return any(getattr(m, "func", None) in funcs for m in _metadata(model, name))


def _tightest(model: Any, name: str, key: str, value: float) -> float:
    """The tightest bound ``key`` (``le``, ``ge``...) of a field with several (a duration of at
    most a year that is a tick of at most a minute): the one worth telling."""
    bounds = [
        b for m in _metadata(model, name) if isinstance(b := getattr(m, key, None), float | int)
    ]
    if not bounds:
        return value
    return min(bounds) if key in ("le", "lt") else max(bounds)


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    text = repr(value)
    return f" (got {text if len(text) <= 60 else text[:57] + '...'})"


def translate(exc: ValidationError, data: Any, marks: Marks, path: str) -> list[Problem]:
    """Turn pydantic errors into positioned, plain-language problems."""
    from chaosgame.scenario.loader import Problem

    problems = []
    errors = exc.errors(include_url=False)
    hinted = _hinted_names(errors, data)
    for err in errors:
        loc: Loc = tuple(
            p for p in err["loc"] if not (isinstance(p, str) and "[" in p and p.endswith("]"))
        )
        loc = _strip_union_tags(loc, data)
        kind = err["type"]
        where = loc_text(loc)
        ctx = err.get("ctx") or {}
        key = False
        if kind == "extra_forbidden":
            name = str(loc[-1])
            known = _field_names(model_at(data, loc[:-1]))
            message = f"unknown key '{name}' in {loc_text(loc[:-1]) or 'the scenario'}"
            message += _hint(name, known)
            key = True
        elif kind == "missing":
            name = str(loc[-1])
            if (loc[:-1], name) in hinted:
                continue  # the unknown key next to it already says "did you mean"
            choices = _choices(model_at(data, loc[:-1]), name)
            message = f"{where}: this field is required"
            if choices:
                message += f" (one of {', '.join(choices)})"
            loc = loc[:-1]
        elif kind == "literal_error":
            model = model_at(data, loc[:-1]) if loc and isinstance(loc[-1], str) else None
            choices = _choices(model, str(loc[-1])) if model is not None else []
            if not choices:
                choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            given = err.get("input")
            message = f"{where}: '{given}' is not one of {', '.join(choices)}"
            close = difflib.get_close_matches(str(given), choices, n=1, cutoff=0.5)
            if close:
                message += f"; did you mean '{close[0]}'?"
        elif kind == "union_tag_invalid":
            given = ctx.get("tag", "?")
            expected = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
            close = difflib.get_close_matches(str(given), expected, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(expected)}"
            what = (
                "action"
                if isinstance(_at(data, loc), dict) and "action" in _at(data, loc)
                else "kind"
            )
            message = f"{where}: unknown {what} '{given}'{hint}"
            loc = (*loc, what)
        elif kind == "union_tag_not_found":
            message = f"{where}: say which kind this is (add 'kind:' or 'action:')"
        elif kind == "value_error" and not loc:
            for part in str(err["msg"]).removeprefix("Value error, ").split("\n"):
                ref_loc, text = split_reference(part)
                file, line, col = position(ref_loc, marks, path)
                problems.append(Problem(file, line, col, text))
            continue
        elif kind == "string_type" and isinstance(err.get("input"), int | float):
            message = (
                f"{where}: must be text; put it in quotes (unquoted, it reads as the number "
                f"{err.get('input')!r})"
            )
        elif kind == "value_error":
            message = f"{where}: {_plain(kind, str(err['msg']))}"
        elif kind in _BOUNDS and ctx:
            message = f"{where}: {_bound(kind, ctx, data, loc)}{_shown(err.get('input'))}"
        else:
            message = f"{where}: {_plain(kind, str(err['msg']))}{_shown(err.get('input'))}"
        file, line, col = position(loc, marks, path, key=key)
        problems.append(Problem(file, line, col, message))
    return problems


def _hinted_names(errors: list[Any], data: Any) -> set[tuple[Loc, str]]:
    """(mapping, field) pairs that an unknown key's "did you mean" already points to."""
    out = set()
    for err in errors:
        if err["type"] != "extra_forbidden":
            continue
        loc = _strip_union_tags(tuple(err["loc"]), data)
        known = _field_names(model_at(data, loc[:-1]))
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        if close:
            out.add((loc[:-1], close[0]))
    return out


def _at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
