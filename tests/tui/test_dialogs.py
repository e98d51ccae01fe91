"""The mitigate and declare dialogs: defaults, parameters by name, search by meaning."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget
from textual.widgets import Input, Label, OptionList

from chaosgame.game.menu import KIND_SUMMARIES, KINDS, matching
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.dialogs import ActionDialog, DeclareDialog
from chaosgame.tui.widgets.service_map import ServiceMap
from tests.tui.conftest import press, run_async, settle


def test_kinds_are_found_by_their_summaries_after_their_names() -> None:
    found = matching("slow", KINDS, KIND_SUMMARIES)
    assert "latency-regression" in found  # "a new version is slower per request"
    named = [k for k in found if "slow" in k]
    assert found[: len(named)] == named  # names first
    assert matching("slow", KINDS) == named  # without descriptions, names only


@run_async
async def test_declare_offers_kinds_by_what_they_mean(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
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


def _inside(widget: Widget, box: Widget) -> bool:
    """Whether ``widget`` is drawn whole inside ``box``'s content (nothing cut at the edges)."""
    outer, inner = box.content_region, widget.region
    return (
        inner.height > 0
        and inner.y >= outer.y
        and inner.bottom <= outer.bottom
        and inner.x >= outer.x
        and inner.right <= outer.right
    )


@run_async
async def test_the_target_is_the_component_looked_at(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        service_map = app.screen.query_one(ServiceMap)
        while service_map.selected_component() != "payments":
            await press(pilot, "down")
        await press(pilot, "r")  # reading the map again keeps the cursor on payments
        assert service_map.selected_component() == "payments"
        await press(pilot, "a")
        assert isinstance(app.screen, ActionDialog)
        assert app.screen.query_one("#target", Input).value == "payments"
        await press(pilot, "escape")
        await press(pilot, "2", "slash", *"checkout errors", "enter", "a")  # the chart's
        assert app.screen.query_one("#target", Input).value == "checkout"
        await press(pilot, "escape")
        await press(pilot, "3", "slash", *"web timeout", "enter", "a")  # the log search's
        assert app.screen.query_one("#target", Input).value == "web"


@run_async
async def test_parameters_are_asked_by_name_type_and_range(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        options = dialog.query_one("#mitigations", OptionList)
        options.highlighted = list(MITIGATIONS).index("scale")
        await settle(pilot)
        row = dialog.query_one("#p-replicas", Input).parent
        assert row is not None
        assert str(row.query_one(".name", Label).render()) == "replicas"
        assert "a whole number from 0 to 500" in str(row.query_one(".type").render())
        await press(pilot, "tab", "tab", *"900", "enter")
        assert isinstance(app.screen, ActionDialog)
        error = str(dialog.query_one("#error").render())
        assert "replicas must be a whole number from 0 to 500, not '900'" in error
        dialog.query_one("#p-replicas", Input).value = "6"
        await press(pilot, "enter")
        assert app.game is not None
        done = app.game.view.actions[-1]["action"]
        assert (done["action"], done["replicas"]) == ("scale", 6)


@run_async
async def test_a_missing_parameter_is_a_sentence(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#mitigations", OptionList).highlighted = list(MITIGATIONS).index(
            "disable-retries"
        )
        await settle(pilot)
        await press(pilot, "enter", "enter")  # choose it, then act without saying `to`
        assert isinstance(app.screen, ActionDialog)
        error = str(dialog.query_one("#error").render())
        assert error.startswith("disable-retries needs 'to': the dependency whose calls")
        assert "Field required" not in error
        assert dialog.focused is dialog.query_one("#p-to")
        await press(pilot, "escape")
        await press(pilot, "slash", *"do disable-retries checkout", "enter")  # typed, too
        assert app.snapshot is not None
        assert app.snapshot.error
        assert "needs 'to'" in app.snapshot.message
        assert "Field required" not in app.snapshot.message


@run_async
async def test_the_dialog_fits_wraps_and_shows_the_focus(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        box = dialog.query_one(".dialog")
        for part in ("#mitigations", "#target", "#cost", ".dialog-title"):
            assert _inside(dialog.query_one(part), box), part
        cost = dialog.query_one("#cost")
        assert cost.region.height >= len(str(cost.render()).splitlines())
        # a long summary wraps beside the names, never under them
        options = dialog.query_one("#mitigations", OptionList)
        lines = [options.render_line(y).text for y in range(options.size.height)]
        column = lines[0].index("return a component")
        follow = next(line for line in lines if "its last deploy" in line)
        assert follow[:column].strip(" █▎▌▊") == ""
        # where the typing goes shows, with or without colour
        label = dialog.query_one("#target").parent.query_one(Label)
        assert dialog.focused is options
        assert not label.styles.text_style.reverse
        edge = options.styles.border_left
        await press(pilot, "tab")
        assert dialog.focused is dialog.query_one("#target")
        assert label.styles.text_style.reverse  # the focused field's name, reversed
        assert options.styles.border_left != edge  # the list's edge lit only while focused


@run_async
async def test_declare_fits_with_wrapped_summaries_and_an_error(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d", *"checkout", "tab", *"slow", "enter")  # not a kind: an error
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        assert "unknown fault kind 'slow'" in str(dialog.query_one("#error").render())
        box = dialog.query_one(".dialog")
        for part in dialog.query_one(".dialog").children:
            if part.display and part.region.height:
                assert _inside(part, box), part
        choices = dialog.query_one("#choices", OptionList)
        lines = [choices.render_line(y).text for y in range(choices.size.height)]
        assert any("slower per request" in line for line in lines)  # latency-regression's
        wrapped = [line for line in lines if line.startswith(" " * 10) and line.strip()]
        assert wrapped  # summaries go on under themselves, not under the names
