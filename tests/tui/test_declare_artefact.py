"""The declare dialog offers the artefacts a fleet shares beside its components, and a picked
artefact is what the game records."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, OptionList, Static

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.dialogs import DeclareDialog
from tests.tui.conftest import press, run_async, settle


@run_async
async def test_an_artefact_can_be_picked_and_declared(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("front-pages-fail-in-three-cities", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        choices = dialog.query_one("#choices", OptionList)
        await press(pilot, *"image")
        assert [o.id for o in choices.options] == ["image:edge-2609", "image:edge-2611"]
        title = str(dialog.query_one("#choices-title", Static).render())
        assert "shared artefacts" in title
        await press(pilot, "down", "down", "enter")  # the second: image:edge-2611
        assert dialog.query_one("#comp0", Input).value == "image:edge-2611"
        await press(pilot, *"memory-leak", "tab", *"0.8", "enter")
        await settle(pilot)
        assert app.game is not None
        assert app.game.view.declarations[-1]["hypotheses"][0] == {
            "component": "image:edge-2611",
            "kind": "memory-leak",
            "confidence": 0.8,
        }


@run_async
async def test_without_tags_the_dialog_offers_components_only(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        assert dialog.artefacts == []
        title = str(dialog.query_one("#choices-title", Static).render())
        assert title.startswith("components (")
        assert dialog.query_one("#comp0", Input).placeholder == "component, or -"
