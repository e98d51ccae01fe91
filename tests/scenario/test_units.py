"""Durations and clock times: one reader, one message, accepted the same way everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import chaosgame
from chaosgame.game.actions import parse_action
from chaosgame.game.commands import parse_command
from chaosgame.game.flow import _window
from chaosgame.game.session import Session
from chaosgame.scenario import units
from chaosgame.scenario.library import find, load
from chaosgame.scenario.loader import ScenarioError, load_scenario_text
from chaosgame.telemetry import listings, promql
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.query import Window, seconds, since

FORMS = [
    ("[1h30m]", 5400.0),
    ("90s", 90.0),
    ("2h", 7200.0),
    ("1h30m", 5400.0),
    ("500ms", 0.5),
    ("1d", 86400.0),
    ("90", 90.0),
    ("1.5m", 90.0),
    ("1h 30m", 5400.0),
]
BAD = ["5x", "1h30", "m5", "-5m", "ninety seconds", "1h-30m", "[5m", "5m]", ""]
MESSAGE = (
    "is not a duration; write a number of seconds or a value such as 250ms, 30s, 5m, 1h30m, 2d"
)
GOOD = find("checkout-payment-step-failing").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "value"), FORMS)
def test_the_reader(text: str, value: float) -> None:
    assert units.seconds(text) == value
    assert units.parse_duration(text) == value


@pytest.mark.parametrize("text", BAD)
def test_one_message_for_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(units.DurationError) as exc:
        units.seconds(text, "wait")
    assert str(exc.value) == f"wait: '{text}' {MESSAGE}"
    assert units.not_a_duration(text) == f"'{text}' {MESSAGE}"


@pytest.mark.parametrize(("text", "value"), [f for f in FORMS if not f[0].startswith("[")])
def test_yaml_durations(text: str, value: float) -> None:
    edge = "{from: web, to: catalog, calls: 2, timeout: 500ms}"
    sc = load_scenario_text(GOOD.replace(edge, edge.replace("500ms", f'"{text}"')))
    assert sc.dependencies[0].timeout == value
    query = {"type": "query", "view": "metric", "component": "web", "window": text}
    assert parse_action(query).window == value  # type: ignore[union-attr]


def test_a_bad_yaml_duration_is_placed_with_the_one_message() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(GOOD.replace("time_limit: 45m", "time_limit: 45 mins"), "s.yaml")
    (problem,) = exc.value.problems
    line = GOOD.splitlines().index("time_limit: 45m") + 1
    assert str(problem) == f"s.yaml:{line}:13: time_limit: '45 mins' {MESSAGE}"


@pytest.mark.parametrize(("text", "value"), FORMS)
def test_query_ranges_offsets_and_options(text: str, value: float) -> None:
    inner = text.strip("[]")
    node = promql.parse(f"rate(http_requests_total[{inner}] offset {inner.replace(' ', '')})")
    assert isinstance(node, promql.Call)
    sel = node.args[0]
    assert isinstance(sel, promql.Selector)
    assert sel.range == value
    assert sel.offset == value
    assert seconds(text, "--since") == value
    assert since(f"events --since={text.replace(' ', '')}") == value
    assert _window(f'logs {{service="web"}} --since={text.replace(" ", "")}') == value


def test_query_windows_read_every_option_the_same_way() -> None:
    sim = Session(load())
    sim.reset()
    assert sim.sim is not None
    opts = {"since": "1h30m", "until": "90s", "step": "500ms"}
    win = Window(sim.sim, 7200.0, opts, "metrics", "q")
    assert (win.end, win.start, win.step) == (7110.0, 7110.0 - 5400.0, 0.5)


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ("rate(http_requests_total[5x])", "range"),
        ("rate(http_requests_total[5m] offset 5x)", "offset"),
        ("events --since=5x", "--since"),
        ("events --until=5x", "--until"),
        ("rate(http_requests_total[5m]) --step=5x", "--step"),
        ("traces min_duration=5x", "min_duration"),
    ],
)
def test_query_errors_use_the_one_message(query: str, what: str) -> None:
    s = Session(load())
    s.reset()
    out = s.step({"type": "query", "q": query})
    assert not out["ok"]
    assert out["error"].startswith(f"{what}: '5x' {MESSAGE}")
    with pytest.raises(QueryError):
        seconds("5x", what)


def test_console_durations() -> None:
    assert parse_command("wait 1h30m") == {"type": "wait", "seconds": 5400.0}
    assert parse_command("wait 500ms") == {"type": "wait", "seconds": 0.5}
    assert parse_command("metric payments errors 1d")["window"] == 86400.0  # type: ignore[index]
    with pytest.raises(ValueError, match=f"^wait: '5x' {MESSAGE}$"):
        parse_command("wait 5x")


def test_no_other_module_reads_durations_itself() -> None:
    root = Path(chaosgame.__file__).parent
    own = re.compile(r'"ms":\s*0\.001|\(ms\|s\|m\|h\|d\)[^+]|fromisoformat|strptime')
    readers = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py") if own.search(p.read_text("utf-8"))
    )
    assert readers == ["scenario/units.py"]


# ------------------------------------------------------------------------- clock times
def test_clock_formatting() -> None:
    start = "2026-03-14T09:00:00Z"
    assert units.clock(start, 0) == "09:00:00"
    assert units.clock(start, 5400.5) == "10:30:00"
    assert units.clock(start, 15 * 3600 + 61) == "00:01:01"
    assert units.clock(start, -60) == "08:59:00"
    assert units.stamp(start, 1.25) == "2026-03-14T09:00:01.250Z"
    assert units.clock("2026-03-14T23:30:00+02:00", 3600) == "00:30:00"
    assert units.clock("2026-03-14 09:00:00", 30) == "09:00:30"
    assert units.seconds_past_midnight("2026-03-14T13:30:15Z") == 13 * 3600 + 30 * 60 + 15


def test_the_session_and_telemetry_format_clock_times_with_it() -> None:
    s = Session(load())
    s.reset()
    assert s.sim is not None
    start = s.scenario.clock_start
    for t in (0.0, s.now, 3725.0):
        assert s.clock(t) == units.clock(start, t) == listings.clock(s.sim, t)
        assert listings.stamp(s.sim, t) == units.stamp(start, t)
    assert s.observe()["clock"] == units.clock(start, s.now)


@pytest.mark.parametrize(
    "value", ["14 March, 9am", "2026-03-14", "09:00:00", "2026-13-01T09:00:00Z", "tomorrow"]
)
def test_a_clock_start_that_is_not_an_iso_date_time_is_a_placed_error(value: str) -> None:
    text = GOOD.replace('clock_start: "2026-03-14T13:30:00Z"', f'clock_start: "{value}"')
    assert text != GOOD
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "s.yaml")
    (problem,) = exc.value.problems
    line = text.splitlines().index(f'clock_start: "{value}"') + 1
    assert str(problem) == (
        f"s.yaml:{line}:14: clock_start: '{value}' is not an ISO date-time; write the date "
        "and the time, such as 2026-03-14T09:00:00Z"
    )


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-14T13:30:00Z",
        "2026-03-14T13:30:00+01:00",
        "2026-03-14T13:30",
        "2026-03-14 13:30:00",
    ],
)
def test_iso_date_times_are_accepted(value: str) -> None:
    sc = load_scenario_text(GOOD.replace("2026-03-14T13:30:00Z", value))
    assert sc.clock_start == value
    assert units.clock(sc.clock_start, 0.0) == "13:30:00"


def test_the_json_schema_pattern_says_what_the_reader_reads() -> None:
    for text, _ in FORMS:
        if not text.startswith("["):
            assert re.match(units.DURATION_PATTERN, text), text
            assert re.match(units.MOMENT_PATTERN, f"-{text}"), text
    for text in BAD:
        assert not re.match(units.DURATION_PATTERN, text), text
