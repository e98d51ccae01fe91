"""The structured chart (``metric COMP METRIC WINDOW``) and PromQL honour the same gaps, and
an aggregation without ``by`` makes one series, as in PromQL."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.game.actions import Query
from chaosgame.game.views import run_view
from tests.telemetry.test_gaps import series, world


def chart(sim: Simulator, comp: str, metric: str = "rps", window: float = 1200.0) -> Any:
    q = Query(type="query", view="metric", component=comp, metric=metric, window=window)
    return run_view(sim, q)[0]


def test_chart_points_fall_on_scrapes_only() -> None:
    sim = world(api={"scrape_interval": "60s"})
    times = [t for t, _ in chart(sim, "api")["points"]]
    assert times
    assert all(round(t) % 60 == 0 for t in times)
    gw = [t for t, _ in chart(sim, "gw")["points"]]  # the default, 30 s
    assert len(gw) == 2 * len(times)


def test_chart_of_a_component_without_metrics_is_empty_and_says_why() -> None:
    sim = world(api={"metrics": False})
    out = chart(sim, "api")
    assert out["points"] == []
    assert out["note"] == "api exports no metrics"


def test_averages_only_dashboards_show_the_mean_and_say_so() -> None:
    sim = world(api={"dashboard_averages_only": True})
    out = chart(sim, "api", "latency_p99")
    assert "averages only" in out["note"]
    full = chart(world(), "api", "latency_p99")
    mean = chart(world(), "api", "latency_p50")
    assert np.mean([v for _, v in out["points"]]) < np.mean([v for _, v in full["points"]])
    assert len(out["points"]) == len(mean["points"])


def test_missed_scrapes_are_holes_in_both_views() -> None:
    sim = world()
    scraped = sim.history.comp["scraped"]
    api = sim.world.names.index("api")
    hole = range(100, 160)  # ticks 1000 s to 1600 s
    scraped[hole.start : hole.stop, api] = 0.0
    times = [t for t, _ in chart(sim, "api", window=1800.0)["points"]]
    assert times
    assert not [t for t in times if 1000 <= t < 1600]
    assert [t for t in times if t >= 1600]
    gw = [t for t, _ in chart(sim, "gw", window=1800.0)["points"]]
    assert [t for t in gw if 1000 <= t < 1600]  # other components keep their samples
    got = series(sim, 'cpu_usage_ratio{service="api"} --since=30m')[0]["points"]
    # the last sample before the hole is read for at most 5 minutes (the lookback), then none
    assert not [t for t, _ in got if 1000 + 300 <= t < 1600]
    assert [t for t, _ in got if t >= 1600]
    count = series(sim, 'count_over_time(cpu_usage_ratio{service="api"}[1m]) --since=30m')
    assert not [t for t, v in count[0]["points"] if 1060 <= t < 1600 and v > 0]
    other = series(sim, 'cpu_usage_ratio{service="gw"} --since=30m')[0]["points"]
    assert [t for t, _ in other if 1300 <= t < 1600]


def test_an_aggregation_without_by_is_one_series() -> None:
    sim = world()
    per = series(sim, "rate(http_requests_total[5m])")
    total = series(sim, "sum(rate(http_requests_total[5m]))")
    assert len(per) > 1
    assert len(total) == 1
    assert total[0]["labels"] == {}
    last = sum(s["points"][-1][1] for s in per if s["points"])
    assert total[0]["points"][-1][1] == pytest.approx(last, rel=1e-6)
    assert len(series(sim, "max(rate(http_requests_total[5m]))")) == 1
    assert len(series(sim, "count(up)")) == 1
