"""Asking another team or a customer, from the mitigate dialog."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, OptionList

from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.dialogs import ActionDialog
from chaosgame.tui.widgets.status import AlertList
from tests.tui.conftest import press, run_async, settle


@run_async
async def test_a_request_names_the_party_and_a_refusal_is_a_sentence(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-fails-for-partner-too", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#mitigations", OptionList).highlighted = list(MITIGATIONS).index(
            "request"
        )
        await settle(pilot)
        target = dialog.query_one("#target", Input)
        assert target.placeholder == "a team or customer (see the briefing)"
        assert target.value == ""  # not the component looked at
        target.value = "parcelnest"
        dialog.query_one("#p-ask", Input).value = "rollback"
        await press(pilot, "enter", "enter")  # choose it, then act
        await settle(pilot)
        assert app.snapshot is not None
        assert app.snapshot.error
        assert "parcelnest will not rollback: their connector release" in app.snapshot.message
        await press(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#mitigations", OptionList).highlighted = list(MITIGATIONS).index(
            "request"
        )
        await settle(pilot)
        dialog.query_one("#target", Input).value = "parcelnest"
        dialog.query_one("#p-ask", Input).value = "restore-backoff"
        await press(pilot, "enter", "enter")
        await settle(pilot)
        assert app.game is not None
        done = app.game.view.actions[-1]["action"]
        assert (done["action"], done["target"], done["ask"]) == (
            "request",
            "parcelnest",
            "restore-backoff",
        )


@run_async
async def test_the_status_page_and_requests_show_beside_the_pages(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-cards-declined", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        alerts = app.screen.query_one(AlertList)
        assert "· status update due in 15m" in str(alerts.render())
        await press(pilot, "slash", *"do pause-pipeline fleet-sync", "enter")
        await press(pilot, "slash", *"wait 20m", "enter")
        await settle(pilot)
        shown = str(app.screen.query_one(AlertList).render())
        assert "‖ pipeline fleet-sync paused" in shown
        assert "! status update overdue by" in shown
