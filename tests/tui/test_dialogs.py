"""The mitigate and declare dialogs: defaults, parameters by name, search by meaning."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, OptionList

from chaosgame.game.menu import KIND_SUMMARIES, KINDS, matching
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.dialogs import DeclareDialog
from tests.tui.conftest import press, run_async, settle


def test_kinds_are_found_by_their_summaries_after_their_names() -> None:
    found = matching("slow", KINDS, KIND_SUMMARIES)
    assert "latency-regression" in found  # "a new version is slower per request"
    named = [k for k in found if "slow" in k]
    assert found[: len(named)] == named  # names first
    assert matching("slow", KINDS) == named  # without descriptions, names only


@run_async
async def test_declare_offers_kinds_by_what_they_mean(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("payments-retry-storm", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d", *"payments", "tab", *"slow")
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        choices = dialog.query_one("#choices", OptionList)
        offered = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        assert "latency-regression" in offered
        await press(pilot, "down", *["down"] * offered.index("latency-regression"), "enter")
        assert dialog.query_one("#kind0", Input).value == "latency-regression"
