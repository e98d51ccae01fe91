"""The field reference of ``docs/authoring.md``, rendered from the model.

The reference section of the guide lies between two markers and is exactly what
:func:`render_reference` returns; a test fails when they differ. Rewrite it with::

    python -m chaosgame.scenario.reference --write

Fault kinds and mitigations have their own generated catalogue (``chaosgame catalog``), so
only the fields every fault and every mitigation share are listed here.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from chaosgame.scenario.actions import MitigationBase
from chaosgame.scenario.faults import FaultBase, Onset
from chaosgame.scenario.meanings import MEANINGS, MODELS
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import (
    MAX_NUMBER,
    MAX_TIME_S,
    format_duration,
    parse_duration,
    parse_signed_duration,
)

START = "<!-- reference:start (generated: python -m chaosgame.scenario.reference --write) -->"
END = "<!-- reference:end -->"
REGENERATE = "python -m chaosgame.scenario.reference --write"
GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "authoring.md"


def _flat(meta: list[Any]) -> list[Any]:
    out = []
    for m in meta:
        out.extend(_flat(list(m.metadata)) if isinstance(m, FieldInfo) else [m])
    return out


def _bounds(meta: list[Any]) -> tuple[float | None, bool, float | None, bool]:
    """The tightest lower and upper bounds in ``meta``, and whether each is open."""
    lo: float | None = None
    hi: float | None = None
    lo_open = hi_open = False
    for m in meta:
        for key in ("ge", "gt"):
            value = getattr(m, key, None)
            if isinstance(value, int | float) and (lo is None or value >= lo):
                lo_open = key == "gt" or (lo_open and value == lo)
                lo = value
        for key in ("le", "lt"):
            value = getattr(m, key, None)
            if isinstance(value, int | float) and (hi is None or value <= hi):
                hi_open = key == "lt" or (hi_open and value == hi)
                hi = value
    return lo, lo_open, hi, hi_open


def _number(value: float, time: bool) -> str:
    if time:
        return f"-{format_duration(-value)}" if value < 0 else format_duration(value)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _kind_of(meta: list[Any], base: Any = float) -> str | None:
    """``duration 1s-1m``, ``number 0-1``, ``whole number 1-1,000``, ``number > 0``: the kind
    of a number and its range (the ranges every duration, time or positive number has anyway,
    said once above the tables, are left out)."""
    meta = _flat(meta)
    kind = {int: "whole number", float: "number"}.get(base)
    for m in meta:
        func = getattr(m, "func", None)
        if func is parse_duration:
            kind = "duration"
        elif func is parse_signed_duration:
            kind = "time"
    if kind is None:
        return None
    time = kind in ("duration", "time")
    lo, lo_open, hi, hi_open = _bounds(meta)
    if time and hi == MAX_TIME_S:
        hi = None
    if kind == "time" and lo == -MAX_TIME_S:
        lo = None
    if kind == "duration" and lo == 0 and not lo_open:
        lo = None
    if kind == "number" and lo == 0 and lo_open and hi == MAX_NUMBER:
        hi = None
    top = "" if hi is None else f"{'under' if hi_open else 'at most'} {_number(hi, time)}"
    if lo is not None and hi is not None:
        if lo_open or hi_open:
            return f"{kind} > {_number(lo, time)}, {top}"
        joint = " to " if lo < 0 else "-"
        return f"{kind} {_number(lo, time)}{joint}{_number(hi, time)}"
    if lo is not None:
        return f"{kind} > {_number(lo, time)}" if lo_open else f"{kind} ≥ {_number(lo, time)}"
    if hi is not None:
        return f"{kind}, {top}"
    return kind


def type_text(annotation: Any, meta: list[Any] | None = None) -> str:
    """A readable name for a field's type, with its range."""
    meta = list(meta or [])
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return type_text(base, meta + list(extra))
    if annotation in (int, float):
        special = _kind_of(meta, annotation)
        if special:
            return special
    if origin is Literal:
        return "one of " + ", ".join(f"`{v}`" for v in get_args(annotation))
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        inner = " or ".join(dict.fromkeys(type_text(a, meta) for a in args))
        return inner if len(args) == len(get_args(annotation)) else f"{inner} (optional)"
    if origin is list:
        return f"list of {type_text(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"mapping of {type_text(key)} to {type_text(value)}"
    if isinstance(annotation, type) and issubclass(annotation, FaultBase):
        return "fault"
    if isinstance(annotation, type) and issubclass(annotation, MitigationBase):
        return "mitigation"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "text", int: "whole number", float: "number", bool: "`true`/`false`"}
    if isinstance(annotation, type) and annotation in names:
        return names[annotation]
    return str(annotation).replace("typing.", "")


def _default(field: FieldInfo, kind: str) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None or value == [] or value == {} or value == "":
        return ""
    if isinstance(value, BaseModel):
        return "(defaults below)" if not value.model_fields_set else "see below"
    if isinstance(value, list) and all(isinstance(v, BaseModel) for v in value):
        items = ", ".join(
            "{"
            + ", ".join(
                f"{k}: {v:g}" if isinstance(v, float) else f"{k}: {v}"
                for k, v in m.model_dump().items()
            )
            + "}"
            for m in value
        )
        return f"`[{items}]`"
    if kind.startswith(("duration", "time")) and isinstance(value, float):
        shown = f"-{format_duration(-value)}" if value < 0 else format_duration(value)
        return f"`{shown}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{value:g}`"
    return f"`{value}`"


def _models() -> list[type[BaseModel]]:
    """Every model a scenario file contains, in the order a reader meets them."""
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for field in model.model_fields.values():
            for found in _nested(field.annotation):
                visit(found)

    visit(Scenario)
    for extra in (FaultBase, Onset, MitigationBase):
        visit(extra)
    return [m for m in seen if m is FaultBase or not issubclass(m, FaultBase | MitigationBase)] + [
        m for m in seen if m is MitigationBase
    ]


def _nested(annotation: Any) -> list[type[BaseModel]]:
    out = []
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            if not issubclass(a, FaultBase | MitigationBase):
                out.append(a)
        else:
            stack.extend(reversed(get_args(a)))
    return out


def _table(model: type[BaseModel]) -> list[str]:
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        key = field.alias or name
        kind = type_text(field.annotation, list(field.metadata))
        meaning = field.description or MEANINGS.get(f"{model.__name__}.{name}", "")
        meaning = meaning.replace("|", "\\|")
        lines.append(f"| `{key}` | {kind} | {_default(field, kind)} | {meaning} |")
    if model is Scenario:
        lines.append(
            "| `extends` | text |  | a shared topology file (path from this file, or the name of "
            "one in `scenarios/topologies/`) whose fleet this scenario reuses |"
        )
    return lines


def render_reference() -> str:
    """The reference section (between the markers) as Markdown."""
    out = [
        "## Reference: every field",
        "",
        "Generated from the model (`chaosgame/scenario/model.py`); the JSON Schema in",
        "`scenarios/scenario.schema.json` says the same for editors. Types: *duration* is seconds",
        "or text such as `250ms`, `30s`, `5m`, `1h30m`, `2d`; *time* is a duration from the start",
        "of the simulated window and may be negative (`-3d`, before the window).",
        "",
        "Every number is finite and has a range. Where a row gives none, a duration is at most",
        "366 days, a time lies within 366 days of the start, and a number > 0 is at most",
        "1,000,000. The rules between fields (times inside the window, room to play) are in",
        "[What validation checks](#8-what-validation-checks).",
        "",
        "A fault is a mapping with `kind:` and the fields of [FaultBase](#faultbase) plus its kind's",
        "own parameters; a mitigation has `action:`, `target:` and its action's parameters. Both",
        "catalogues, with every parameter: `chaosgame catalog` and `docs/faults.md`.",
    ]
    for model in _models():
        doc = MODELS.get(model.__name__, "")
        out += ["", f"### {model.__name__}", ""]
        if doc:
            out += [doc, ""]
        out += _table(model)
    return "\n".join(out) + "\n"


def splice(guide: str, reference: str) -> str:
    """``guide`` with its reference section replaced by ``reference``."""
    if START not in guide or END not in guide:
        return guide.rstrip("\n") + f"\n\n{START}\n{reference}{END}\n"
    head, rest = guide.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference}{END}{tail}"


def current(guide: str) -> str:
    """The reference section a guide holds now."""
    if START not in guide or END not in guide:
        return ""
    return guide.split(START, 1)[1].split(END, 1)[0].removeprefix("\n")


def main(argv: list[str]) -> int:
    """``--write`` rewrites the section in docs/authoring.md; otherwise print it."""
    if "--write" in argv:
        GUIDE.write_text(splice(GUIDE.read_text(encoding="utf-8"), render_reference()), "utf-8")
        print(f"rewrote the reference in {GUIDE}")
        return 0
    sys.stdout.write(render_reference())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
