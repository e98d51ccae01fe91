"""What ``validate`` accepts plays: ranges on every number, rules between fields, a real
clock start; each refusal is placed at its line with a sentence that says what to write."""

from __future__ import annotations

import math
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import ScenarioError, load_scenario_data, load_scenario_text
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.template import render
from tests.scenario.mutants import play_short, template_data

TEMPLATE = render("playable")


def problems(text: str) -> list[str]:
    try:
        load_scenario_text(text, "s.yaml")
    except ScenarioError as exc:
        return [str(p) for p in exc.problems]
    return []


def line(text: str, start: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(start))


def edit(old: str, new: str, text: str = TEMPLATE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def with_top(key_value: str, text: str = TEMPLATE) -> str:
    """``text`` with a top-level ``key: value`` set (replaced, or added after ``seed``)."""
    key = key_value.split(":")[0]
    old = next((ln for ln in text.splitlines() if ln.startswith(f"{key}:")), None)
    if old is not None:
        return edit(old, key_value, text)
    return edit("\nduration:", f"\n{key_value}\nduration:", text)


# the list: each was accepted and then crashed, hung or could not be played
REFUSED = [
    (with_top("tick: 0"), "tick: 0", "tick: must be at least 1s (got 0)"),
    (with_top("tick: 1d"), "tick: 1d", "tick: must be at most 5m (got '1d')"),
    (
        edit("duration: 2h ", "duration: 0 "),
        "duration: 0",
        "duration: must be at least 10m (got 0)",
    ),
    (
        edit("time_limit: 30m ", "time_limit: 0 "),
        "time_limit: 0",
        "time_limit: must be at least 5m (got 0)",
    ),
    (
        with_top('clock_start: "not a date"'),
        "clock_start",
        "clock_start: 'not a date' is not an ISO date-time; write the date and the time, "
        "such as 2026-03-14T09:00:00Z",
    ),
    (
        with_top('clock_start: "9999-12-31T23:59:59Z"'),
        "clock_start",
        "clock_start: '9999-12-31T23:59:59Z' is in the year 9999; a scenario's clock starts "
        "between 2000 and 2100, such as 2026-03-14T09:00:00Z",
    ),
    (
        edit("rate: 80}", "rate: 1e308}"),
        "  - {name: order, entry",
        "journeys[0].rate: must be at most 1,000,000 (got 1e+308)",
    ),
    (
        edit("rate: 80}", "rate: 1e400}"),
        "  - {name: order, entry",
        "1e400 is too large a number (it is infinite as a float)",
    ),
    (
        edit("calls: 2,", "calls: 1e308,"),
        "  - {from: orders, to: orders-db",
        "dependencies[0].calls: must be at most 100 (got 1e+308)",
    ),
    (
        edit("max_connections: 200}", "max_connections: 10000000000}"),
        "  - {name: orders-db",
        "components[2].max_connections: must be at most 100,000 (got 10000000000)",
    ),
    (
        edit("    at: 30m\n", "    at: 3h\n"),
        "    at: 3h",
        "faults[0].at: 3h is after the end of the 2h window; a fault must happen inside it "
        "(or make the duration longer)",
    ),
    (
        with_top("page_at: 1d"),
        "page_at",
        "page_at: 1d is after the end of the 2h window; the page must happen inside it (or "
        "make the duration longer)",
    ),
]


@pytest.mark.parametrize(
    ("text", "at", "message"), REFUSED, ids=[m.split(":")[0] + "-" + a for _, a, m in REFUSED]
)
def test_what_would_not_play_is_refused_at_its_line(text: str, at: str, message: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    where, _, said = found[0].partition(": ")
    assert where.startswith(f"s.yaml:{line(text, at)}:")
    assert said == message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("tick: 1m", "duration: 50m"),
            "tick: a 50m window of 1m ticks holds only 50 ticks; make the tick at most 50s (a "
            "window holds at least 60 ticks)",
        ),
        (
            ("tick: 1s", "duration: 1d"),
            "tick: a 1d window of 1s ticks holds 86,400 ticks; make the tick at least 9s or the "
            "window shorter (at most 10,000 ticks)",
        ),
        (
            ("tick: 2m", "duration: 20h"),
            "tick: a 20h window of 2m ticks: a tick longer than 1m is only for a window longer "
            "than 1d (a long incident); make the tick at most 1m",
        ),
        (
            ("tick: 10s", "time_limit: 3h"),
            "time_limit: 3h is longer than the 2h window; make it shorter or the duration longer",
        ),
        (
            ("tick: 10s", "page_at: 1h58m"),
            "page_at: a page at 1h58m leaves less than 5m to play before the window ends at 2h; "
            "page by 1h55m",
        ),
        (
            ("tick: 10s", "page_at: -5m"),
            "page_at: -5m is before the window starts; page at 0 or later",
        ),
    ],
)
def test_rules_between_fields(change: tuple[str, str], message: str) -> None:
    text = with_top(change[1], with_top(change[0]))
    found = problems(text)
    assert [p.partition(": ")[2] for p in found] == [message]


def test_a_late_first_fault_and_an_early_end_are_placed() -> None:
    text = edit("    at: 30m\n", "    at: 1h58m\n")
    assert problems(text) == [
        f"s.yaml:{line(text, '    at: 1h58m')}:9: faults[0].at: the first fault starts at 1h58m, "
        "less than 5m before the window ends at 2h; start it by 1h55m (the player is paged after it)"
    ]
    text = edit("    at: 30m\n", "    at: 30m\n    until: 20m\n")
    assert problems(text) == [
        f"s.yaml:{line(text, '    until:')}:12: faults[0].until: 20m is not after the fault "
        "starts (30m); leave it out for a fault that lasts"
    ]


def test_every_time_that_happens_lies_inside_the_window() -> None:
    text = edit(
        '"new tax rules"}', '"new tax rules"}\n  - {at: 3h, component: search, version: v2}'
    )
    text = edit("at: 25m, component: search", "at: 2h30m, component: search", text)
    text = edit('what: "v2.4.0 fails 40 % of order requests", at: 30m', 'what: "x", at: 9h', text)
    found = [p.partition(": ")[2].split(":")[0] for p in problems(text)]
    assert found == ["deploys[2].at", "configs[0].at", "truth.causal_chain[0].at"]


def test_no_infinity_or_nan_in_data_from_code() -> None:
    """The generator and the agent hand the loader plain data: inf and NaN are refused too."""
    data = template_data()
    for where, value in (("rate", math.inf), ("rate", math.nan)):
        bad: dict[str, Any] = {**data, "journeys": [{**data["journeys"][0], where: value}]}
        with pytest.raises(ScenarioError, match="finite number"):
            load_scenario_data(bad)
    latency = {**data, "regions": [{"name": "eu", "latency_ms": {"us": math.inf}}]}
    with pytest.raises(ScenarioError, match="finite number"):
        load_scenario_data(latency)


def _numbers(model: type[BaseModel]) -> list[str]:
    """Fields of ``model`` that hold a number and have no upper bound."""
    out = []
    for name, field in model.model_fields.items():
        text = repr(field.annotation) + repr(field.metadata)
        holds_number = any(t in text for t in ("float", "int"))
        bounded = "le=" in text or "lt=" in text
        choice = "Literal" in text or "str | int" in text.replace("typing.", "")
        if holds_number and not bounded and not choice:
            out.append(name)
    return out


def _models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack: list[Any] = [Scenario, *(i.model for i in FAULT_KINDS.values())]
    stack += [i.model for i in MITIGATIONS.values()]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            if a in seen:
                continue
            seen.append(a)
            stack.extend(f.annotation for f in a.model_fields.values())
        else:
            stack.extend(get_args(a))
    return seen


def test_every_number_has_a_range() -> None:
    unbounded = {m.__name__: _numbers(m) for m in _models()}
    assert {k: v for k, v in unbounded.items() if v} == {}


def test_every_curated_scenario_and_the_template_still_validate() -> None:
    for path in scenario_paths():
        load_scenario_text(path.read_text(encoding="utf-8"), str(path))
    assert problems(TEMPLATE) == []


def test_the_shortest_and_longest_clocks_play() -> None:
    """The edges of the ranges are playable, not only valid: a 1s tick (here over a 15m
    window with the fault at 5m) and a 1m tick over a day."""
    early = TEMPLATE.replace("at: 30m", "at: 5m").replace("at: 25m", "at: 4m")
    fast = with_top("tick: 1s", with_top("duration: 15m", with_top("time_limit: 10m", early)))
    slow = with_top("tick: 1m", with_top("duration: 1d"))
    for text in (fast, slow):
        sc = load_scenario_text(text, "s.yaml")
        assert "orders" in play_short(sc)
