"""Absurd parameters are answered: a clear error where there is no sensible answer, the answer
itself where there is one (a range longer than the history reads all of it)."""

from __future__ import annotations

import math

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.query import run

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("topk(1e400, up)", "topk() takes a whole number of series"),
        ("bottomk(-1e400, up)", "bottomk() takes a whole number of series"),
        ("topk(up, up)", "expected a number"),
        ("quantile_over_time(1e400, up[5m])", "a quantile from 0 to 1"),
        ("quantile_over_time(1.5, up[5m])", "a quantile from 0 to 1"),
        ("quantile_over_time(-1, up[5m])", "a quantile from 0 to 1"),
        (
            "histogram_quantile(2, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
            "a quantile from 0 to 1",
        ),
        ("up --step=0", "--step"),
        ("up --step=0s", "--step"),
        (f"up[{'9' * 400}d]", "too long"),
        (f"up --since={'9' * 400}", "too long"),
        (f"up offset {'9' * 400}s", "too long"),
        ('{service="web"} --limit=100000', "--limit"),
    ],
)
def test_absurd_parameters_are_clear_errors(storm: Simulator, query: str, words: str) -> None:
    with pytest.raises(QueryError) as got:
        run(storm, query)
    assert words in str(got.value)


@pytest.mark.parametrize(
    "query",
    [
        f"count_over_time(up[{HUGE}d])",
        f"max_over_time(up[{HUGE}d])",
        f"quantile_over_time(0.5, up[{HUGE}s])",
        f"rate(http_requests_total[{HUGE}d])",
        f"irate(http_requests_total[{HUGE}d] offset {HUGE}d)",
        f"up offset {HUGE}d",
        f"up --since={HUGE}d",
        f"up --until={HUGE}d",
        f"up --step={HUGE}d",
        f"topk({HUGE}, up)",
        "topk(0, up)",
        "topk(-3, up)",
        "topk(2.7, up)",
        "1e400",
        "-1e400",
        "1e400 - 1e400",
        f"up * {HUGE}",
        "1e308 * 10",
    ],
)
def test_large_but_meaningful_parameters_are_answered(storm: Simulator, query: str) -> None:
    out, _ = run(storm, query)
    assert out["kind"] == "metrics"
    for s in out["series"]:
        for t, v in s["points"]:
            assert math.isfinite(t)
            assert isinstance(v, float)


def test_a_range_longer_than_the_history_reads_all_of_it(storm: Simulator) -> None:
    whole, _ = run(storm, "count_over_time(up[1d]) --since=1m")
    huge, _ = run(storm, f"count_over_time(up[{HUGE}d]) --since=1m")
    assert whole["series"] == huge["series"]
    gone, _ = run(storm, f"up offset {HUGE}d")
    assert gone["series"] == []  # before the history began: nothing


def test_topk_takes_the_whole_part_and_no_more_than_there_is(storm: Simulator) -> None:
    every, _ = run(storm, "up --since=1m")
    some, _ = run(storm, "topk(2.7, up) --since=1m")
    assert 0 < len(some["series"]) <= len(every["series"])
    assert all(len(s["points"]) for s in some["series"])
    for s in run(storm, "up --since=1m --step=10s")[0]["series"][:1]:
        assert s["points"]
    huge, _ = run(storm, f"topk({HUGE}, up) --since=1m")
    assert len(huge["series"]) == len(every["series"])
    none, _ = run(storm, "topk(0, up) --since=1m")
    assert none["series"] == []


def test_a_step_that_asks_for_too_many_points_is_refused(
    storm: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaosgame.telemetry import metrics_query

    monkeypatch.setattr(metrics_query, "MAX_STEPS", 10)
    with pytest.raises(QueryError, match="would give 30 points per series"):
        run(storm, "up --since=5m --step=10s")
    out, _ = run(storm, "up --since=5m --step=1m")
    assert len(out["series"][0]["points"]) == 5
