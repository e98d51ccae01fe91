"""Pilot test: the debrief screen shows harm beyond availability apart from the SLOs."""

from __future__ import annotations

from collections.abc import Callable

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.debrief import DebriefScreen
from tests.tui.conftest import press, run_async, settle
from tests.tui.test_debrief_screen import TALL, flat, screen_text


@run_async
async def test_the_score_screen_shows_the_harm_part_and_section(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("account-pages-show-other-customers", start="console")
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        await press(pilot, "e", "y")
        assert isinstance(app.screen, DebriefScreen)
        text = flat(screen_text(app))
        # the score's own line for the part, out of its 10 points
        assert "Harm beyond SLOs 0.0/10" in text, text
        assert "data exposed" in text
        # the section with each harm, the three runs side by side
        assert "Harm beyond the SLOs" in text
        assert "Data exposed: customers' names, addresses and order history" in text
        assert "Wrong answers (account): you" in text
        assert text.index("Error budget burned, per SLO") < text.index("Harm beyond the SLOs")
