"""Metric queries: PromQL-style selectors, functions, aggregations and their errors."""

from __future__ import annotations

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.query import COSTS, run


def last(result: dict, **labels: str) -> float:
    for s in result["series"]:
        if all(s["labels"].get(k) == v for k, v in labels.items()):
            return float(s["points"][-1][1])
    raise AssertionError(f"no series with {labels}")


def test_rate_of_errors_by_service_shows_the_failing_path(storm: Simulator) -> None:
    out, cost = run(storm, 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))')
    assert cost == COSTS["metrics"]
    assert last(out, service="payments") > 1.0
    assert last(out, service="catalog") == pytest.approx(0.0, abs=1e-6)


def test_request_rate_matches_the_history(storm: Simulator) -> None:
    out, _ = run(storm, 'sum(rate(http_requests_total{service="web"}[1m]))')
    h = storm.history.comp["offered"][storm.history.ticks - 6 : storm.history.ticks, 1]
    assert last(out) == pytest.approx(float(h.mean()), rel=0.2)


def test_histogram_quantile_and_summary_agree_roughly(storm: Simulator) -> None:
    hist, _ = run(
        storm,
        'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{service="web"}[5m])))',
    )
    summ, _ = run(storm, 'http_request_duration_seconds{service="web",quantile="0.5"}')
    assert last(hist) == pytest.approx(last(summ), rel=0.5)


def test_error_ratio_by_version_splits_a_rollout() -> None:
    from tests.telemetry.conftest import played

    sim = played(until=1980.0)  # mid-rollout of payments
    q = (
        'sum by (version) (rate(http_requests_total{service="payments",code="500"}[1m])) / '
        'sum by (version) (rate(http_requests_total{service="payments"}[1m]))'
    )
    out, _ = run(sim, q)
    versions = {s["labels"]["version"] for s in out["series"]}
    assert versions == {"v3.1.9", "v3.2.0"}
    assert last(out, version="v3.2.0") > last(out, version="v3.1.9") + 0.1


def test_gauges_and_over_time_functions(storm: Simulator) -> None:
    out, _ = run(storm, 'max_over_time(cpu_usage_ratio{service="payments"}[5m])')
    assert 0 < last(out) <= 1
    avg, _ = run(storm, 'avg_over_time(queue_depth{service="orders"}[10m])')
    assert avg["series"]


def test_client_metrics_show_calls_to_a_dependency(storm: Simulator) -> None:
    out, _ = run(storm, 'rate(client_requests_total{service="checkout",target="payments"}[5m])')
    assert last(out) > 40  # more calls than checkout's own traffic: retries


@pytest.mark.parametrize(
    ("query", "message", "caret"),
    [
        ('rate(http_requests_total{service="chekout"}[5m])', "did you mean 'checkout'?", 33),
        ("rate(http_requests_totl[5m])", "did you mean 'http_requests_total'?", 5),
        ("rate(http_requests_total)", "needs a range vector", 5),
        ("sum(rate(http_requests_total[5m])", "expected ')'", 33),
        ("rate(cpu_usage_ratio[5m])", "is a gauge", 5),
        ("ratee(up[5m])", "did you mean 'rate'", 0),
    ],
)
def test_errors_point_at_the_problem(
    storm: Simulator, query: str, message: str, caret: int
) -> None:
    with pytest.raises(QueryError) as err:
        run(storm, query)
    assert message in err.value.message
    assert err.value.position == caret
    assert "^" in str(err.value)


def test_same_query_twice_is_identical(storm: Simulator) -> None:
    q = "sum by (service) (rate(http_requests_total[5m]))"
    assert run(storm, q) == run(storm, q)
