"""Charts read in clock time, and every clock time the console shows agrees with the others."""

from __future__ import annotations

import re
from collections.abc import Callable

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.widgets.plot import Mark, Plot, Series, render_plot, time_ticks
from chaosgame.tui.widgets.timeline import Timeline, timeline_rows
from tests.tui.conftest import press, run_async, settle


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")[:2]
    return int(h) * 60 + int(m)


def test_time_labels_are_whole_minutes_that_never_touch() -> None:
    # 15 minutes from 14:02:35 (clock0 is the second of the day at x = 0)
    clock0 = 14 * 3600 + 2 * 60 + 35
    ticks = time_ticks(0.0, 900.0, clock0, 73)
    labels = [_minutes(t) for _, t in ticks]
    steps = {b - a for a, b in zip(labels, labels[1:], strict=False)}
    assert len(steps) == 1  # one step, wide enough for the labels
    step = steps.pop()
    assert step in (2, 5)
    assert all(m % step == 0 for m in labels)  # round times of the clock
    start, end = clock0 // 60, (clock0 + 900) // 60  # in minutes, rounded down
    assert labels[0] - step <= start < labels[0]  # from the start of the window...
    assert labels[-1] <= end < labels[-1] + step  # ...to its end
    cols = [c for c, _ in ticks]
    assert all(b - a >= 7 for a, b in zip(cols, cols[1:], strict=False))


def test_plot_draws_the_axis_and_the_marks() -> None:
    series = (Series("", tuple((float(t), float(t % 7)) for t in range(0, 901, 10))),)
    text = render_plot(
        series,
        80,
        10,
        clock0=14 * 3600,
        marks=(Mark(0.0, "P"), Mark(450.0, "A"), Mark(5000.0, "D")),
    ).plain
    lines = text.splitlines()
    assert len(lines) == 10
    axis, labels = lines[-2], lines[-1]
    assert axis.lstrip().startswith("└")
    assert axis.count("P") == 1
    assert axis.count("A") == 1
    assert "D" not in axis  # outside the window: not drawn
    assert re.findall(r"\d\d:\d\d", labels)[0] == "14:00"
    # the action's mark sits half way along the axis, and a faint line goes up from it
    assert abs(axis.index("A") - (7 + 73 // 2)) <= 1
    assert "┊" in lines[0] or "┊" in lines[3]


def test_a_plot_without_a_clock_has_no_axis() -> None:
    series = (Series("", ((0.0, 1.0), (10.0, 2.0))),)
    assert "└" not in render_plot(series, 40, 8).plain  # the debrief's plots are unchanged


@run_async
async def test_a_chart_has_a_clock_axis_with_the_page_and_the_actions(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "5", "r", "1")  # the map, then the timeline (the deploys)
        await press(pilot, "slash", *"do rollback payments", "enter")
        await press(pilot, "w", "w", "w")
        await press(pilot, "2", "slash", *"payments errors 15m", "enter")
        snap = app.snapshot
        assert snap is not None
        plot = app.screen.query_one("#charts").query_one(Plot)
        lines = plot.render().plain.splitlines()
        axis, labels = lines[-2], lines[-1]
        read = _minutes(snap.charts[-1].read_at)
        shown = [_minutes(t) for t in re.findall(r"\d\d:\d\d", labels)]
        assert len(shown) >= 4
        assert all(read - 15 <= m <= read for m in shown)
        for letter in "PAE":  # the page, the rollback asked, the rollback done
            assert letter in axis, letter
        legend = str(app.screen.query_one("#charts .legend").render())
        assert "P page" in legend
        assert "D deploy" in legend


@run_async
async def test_message_timeline_and_alerts_agree_on_a_mitigation(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.snapshot is not None
        asked = app.snapshot.observation["clock"]  # the clock when the player asks
        await press(pilot, "slash", *"do rollback payments", "enter")
        snap = app.snapshot
        effect = snap.clock_of(snap.path[-1].effect_s or 0.0)
        assert (
            _minutes(effect) * 60 + int(effect[-2:]) - (_minutes(asked) * 60 + int(asked[-2:]))
            == 120
        )  # rollback acts two minutes after it is asked
        assert snap.message == (
            f"rollback payments: asked at {asked}, takes effect at {effect} (2m later)"
        )
        alerts = str(app.screen.query_one("AlertList").render())
        assert f"pending: rollback payments, takes effect at {effect}" in alerts
        rows = [(clock, kind, what) for _, clock, kind, _, what in timeline_rows(snap)]
        assert (asked, "you", "rollback payments (asked)") in rows
        assert (effect, "due", "rollback payments takes effect") in rows
        await press(pilot, "5")
        table = app.screen.query_one(Timeline)
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "rollback payments takes effect" in shown  # the row fits at 80 columns
        await press(pilot, "w", "w")
        rows = [(clock, kind, what) for _, clock, kind, _, what in timeline_rows(app.snapshot)]
        assert (effect, "you", "rollback payments took effect") in rows
