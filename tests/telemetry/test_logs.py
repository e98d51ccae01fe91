"""Logs: exact counts without rendering, filters, paging, formats, determinism."""

from __future__ import annotations

import json

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.logs import categories, counts
from chaosgame.telemetry.logsearch import Filter, render
from chaosgame.telemetry.logtemplates import Field, decide
from chaosgame.telemetry.query import COSTS, run
from tests.telemetry.conftest import played


def test_line_filter_finds_the_timeouts_in_the_callers_logs(storm: Simulator) -> None:
    out, cost = run(storm, 'logs {service="checkout"} |= "timeout" --limit=5')
    assert cost == COSTS["logs"]
    assert out["matched"] > 100
    assert len(out["lines"]) == 5
    assert all("timeout" in ln["line"] and ln["service"] == "checkout" for ln in out["lines"])
    times = [ln["time"] for ln in out["lines"]]
    assert times == sorted(times, reverse=True), "newest first"


def test_exact_count_equals_rendering_every_line(storm: Simulator) -> None:
    """The template-decided count is the count a grep over every rendered line gives."""
    cats = categories(storm, storm.world.index["checkout"])
    lo, hi = storm.history.ticks - 6, storm.history.ticks
    n = counts(storm, cats, lo, hi, storm.now)
    for needle in ("timeout", "payments", "500", "deadline", "attempt 2"):
        by_render = sum(
            needle in render(storm, c, lo + t, k)[1]
            for r, c in enumerate(cats)
            for t in range(hi - lo)
            for k in range(int(n[r, t]))
        )
        out, _ = run(storm, f'{{service="checkout"}} |= "{needle}" --since=60s')
        assert out["matched"] == by_render, needle


def test_not_contains_regex_and_level_filters(storm: Simulator) -> None:
    everything, _ = run(storm, '{service="checkout"} --since=60s')
    hit, _ = run(storm, '{service="checkout"} |= "retrying" --since=60s')
    miss, _ = run(storm, '{service="checkout"} != "retrying" --since=60s')
    assert hit["matched"] + miss["matched"] == everything["matched"]
    rx, _ = run(storm, '{service="checkout"} |~ "attempt [23]/4" --since=60s --limit=3')
    assert rx["lines"]
    assert all("attempt 2/4" in x["line"] or "attempt 3/4" in x["line"] for x in rx["lines"])
    errs, _ = run(storm, '{service="payments", level="error"} --since=60s --limit=10')
    assert errs["lines"]
    assert all(x["level"] == "error" for x in errs["lines"])
    piped, _ = run(storm, '{service="payments"} | level="error" --since=60s --limit=10')
    assert piped["matched"] == errs["matched"]


def test_paging_walks_the_same_lines_in_order(storm: Simulator) -> None:
    one, _ = run(storm, '{service="checkout"} |= "timeout" --limit=4 --page=1')
    two, _ = run(storm, '{service="checkout"} |= "timeout" --limit=4 --page=2')
    both, _ = run(storm, '{service="checkout"} |= "timeout" --limit=8')
    assert [x["line"] for x in one["lines"] + two["lines"]] == [x["line"] for x in both["lines"]]


def test_json_and_text_formats(storm: Simulator) -> None:
    out, _ = run(storm, '{service="payments"} --limit=3')  # payments logs JSON
    for x in out["lines"]:
        assert json.loads(x["line"])["service"] == "payments"
    out, _ = run(storm, '{service="checkout"} --limit=3')
    assert not out["lines"][0]["line"].startswith("{")


def test_trace_id_filter_finds_the_line(storm: Simulator) -> None:
    out, _ = run(storm, '{service="checkout"} |= "timeout" --limit=1')
    line = out["lines"][0]["line"]
    trace = line.split("trace_id=")[1][:32]
    found, _ = run(storm, f'{{service="checkout"}} | trace_id="{trace}" --since=30s')
    assert found["matched"] == 1


def test_same_query_twice_and_other_seed() -> None:
    a, b = played(), played(seed=99)
    q = '{service="checkout"} |= "timeout" --limit=5'
    assert run(a, q) == run(a, q)
    other, _ = run(b, q)
    first, _ = run(a, q)
    assert [x["line"] for x in other["lines"]] != [x["line"] for x in first["lines"]]
    assert set(other) == set(first)
    assert len(other["lines"]) == len(first["lines"])


def test_decide_is_sound_about_fields() -> None:
    digits = Field("ms", frozenset("0123456789"), (1, 6))
    tpl = ["GET /api 200 ", digits, "ms"]
    assert decide("GET", tpl) is True
    assert decide("timeout", tpl) is False
    assert decide("2001", tpl) is None  # could be inside the number
    assert decide("0ms", tpl) is None
    assert Filter("!=", "GET", 0).decide  # smoke


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{service="chekout"}', "did you mean 'checkout'?"),
        ('{service="checkout"} |= timeout', "expected a quoted string"),
        ('{sevice="checkout"}', "did you mean 'service'?"),
        ('{service="checkout"} |~ "(("', "bad regular expression"),
        ('{service="checkout", level="eror"}', "did you mean 'error'?"),
    ],
)
def test_log_query_errors(storm: Simulator, query: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        run(storm, query)
    assert message in str(err.value)
