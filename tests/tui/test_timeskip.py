"""The time-skip in the terminal UI: ``t`` waits until the next action under way takes
effect; the mitigate dialog shows this incident's duration of an action."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import OptionList, Static

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.console import ConsoleScreen
from chaosgame.tui.screens.dialogs import ActionDialog
from tests.tui.conftest import press, run_async, settle

LONG = "issue-tracker-down"


@run_async
async def test_t_skips_to_the_next_step_and_says_so(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory(LONG, start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.game is not None
        await press(pilot, "t")
        assert app.snapshot is not None
        assert "nothing is under way" in app.snapshot.message
        assert app.game.view.actions == []
        await press(pilot, "slash", *"do run-step tracker-db step=provision-restore-host", "enter")
        before = app.game.view.now
        await press(pilot, "t")
        assert isinstance(app.screen, ConsoleScreen)
        assert app.game.view.now - before > 2300.0  # forty minutes of provisioning, at once
        last = app.game.view.actions[-1]["action"]
        assert last == {"type": "wait", "until": "next"}
        assert app.snapshot.observation["pending_mitigations"] == []


@run_async
async def test_the_mitigate_dialog_shows_this_incidents_duration(
    app_factory: Callable[..., ChaosApp],
) -> None:
    app = app_factory(LONG, start="console")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        options = dialog.query_one("#mitigations", OptionList)
        options.highlighted = options.get_option_index("restore-backup")
        await settle(pilot)
        cost = str(dialog.query_one("#cost", Static).render())
        assert "takes effect 6h here (catalogue: 30m) after you ask" in cost
