"""The CPU profile of the component under the cursor: one key on the console, at its cost."""

from __future__ import annotations

from collections.abc import Callable

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.result import ResultScreen
from chaosgame.tui.widgets.service_map import ServiceMap
from tests.tui.conftest import press, run_async, screen_lines, settle


@run_async
async def test_f_opens_the_profile_of_the_component_under_the_cursor(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        comp = app.screen.query_one(ServiceMap).selected_component()
        assert comp is not None
        snap = app.snapshot
        assert snap is not None
        before = snap.observation["time"]
        await press(pilot, "f")
        assert isinstance(app.screen, ResultScreen)
        assert app.screen.result["kind"] == "profile"
        assert app.screen.result["component"] == comp
        text = "\n".join(screen_lines(app))
        assert f"profile {comp}" in text
        assert "frames" not in text.split("\n")[0]
        after = app.snapshot
        assert after is not None
        assert after.observation["time"] == before + 60.0
