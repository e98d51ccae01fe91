"""Property tests: mangled YAML text and mangled scenario data never crash the loader.

Whatever comes in, out comes either a valid Scenario or a ScenarioError whose problems all
have a file, a line and a column.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaosgame.scenario.library import find
from chaosgame.scenario.loader import (
    ScenarioError,
    load_scenario_data,
    load_scenario_text,
    parse_yaml,
)
from chaosgame.scenario.model import Scenario

GOOD = find("checkout-payment-step-failing").read_text(encoding="utf-8")
GOOD_DATA, _, _ = parse_yaml(GOOD)
LINES = GOOD.splitlines(keepends=True)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(load: Any) -> None:
    problems = None
    try:
        sc = load()
    except ScenarioError as exc:
        problems = exc.problems
    if problems is None:
        assert isinstance(sc, Scenario)
        return
    assert problems
    for p in problems:
        assert p.path
        assert p.line >= 1
        assert p.col >= 1
        assert p.message
        assert "Traceback" not in p.message


junk_text = st.sampled_from(
    [
        "",
        " ",
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\t",
        "#",
        "&a",
        "*a",
        "!!str ",
        "? ",
        "on",
        "no",
        "2026-03-14",
        "12:30",
        "~",
        "null",
        "1e3",
        ".inf",
        "<<: {}",
        "\n",
        "---\n",
        "%YAML 1.1\n",
        "|",
        ">",
        "@",
        "`",
        "\x00",
        "é",
        "kind: bad-deploy",
        "extends: nowhere",
    ]
) | st.text(max_size=12)


@st.composite
def mangled_text(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "insert", "splice", "duplicate", "indent", "cut"]))
        if op == "delete":
            del lines[i]
        elif op == "insert":
            lines.insert(i, draw(junk_text) + "\n")
        elif op == "splice":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(junk_text) + line[at:]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
        else:
            lines = lines[:i]
        if not lines:
            break
    return "".join(lines)


@SETTINGS
@given(mangled_text())
def test_mangled_yaml_gives_a_scenario_or_positioned_errors(text: str) -> None:
    outcome(lambda: load_scenario_text(text, "m.yaml"))


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(["payments", "checkout", "bad-deploy", "rollback", "5m", "-3d", "on"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(GOOD_DATA)[1:]


@st.composite
def mangled_data(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(GOOD_DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            op = draw(st.sampled_from(["replace", "delete", "add-key"]))
            if op == "replace":
                parent[last] = draw(values)
            elif op == "delete":
                del parent[last]
            elif isinstance(parent[last], dict):
                parent[last][draw(st.text(min_size=1, max_size=10))] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue
    return data


@SETTINGS
@given(mangled_data())
def test_mangled_data_gives_a_scenario_or_positioned_errors(data: Any) -> None:
    outcome(lambda: load_scenario_data(data, "d.yaml"))


@SETTINGS
@given(mangled_data())
def test_mangled_data_written_as_yaml_gives_a_scenario_or_positioned_errors(data: Any) -> None:
    try:
        text = yaml.safe_dump(data, sort_keys=False)
    except yaml.YAMLError:
        return
    outcome(lambda: load_scenario_text(text, "d.yaml"))
