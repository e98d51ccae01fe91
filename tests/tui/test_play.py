"""Pilot tests: the built-in incident from home to debrief with keys only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.message import Message

from chaosgame.tui.app import ChaosApp
from chaosgame.tui.messages import ActionCompleted, GameEnded, GameStarted
from chaosgame.tui.screens.briefing import BriefingScreen
from chaosgame.tui.screens.console import ConsoleScreen
from chaosgame.tui.screens.debrief import DebriefScreen
from chaosgame.tui.screens.dialogs import ConfirmDialog
from chaosgame.tui.screens.home import HomeScreen
from tests.tui.conftest import LIBRARY, SEED, press, run_async, settle


def _actions(messages: list[Message]) -> list[dict[str, Any]]:
    return [m.action for m in messages if isinstance(m, ActionCompleted)]


@run_async
async def test_home_to_debrief_with_keys_only(app_factory: Callable[..., ChaosApp]) -> None:
    messages: list[Message] = []
    app = app_factory()
    async with app.run_test(size=(100, 34), message_hook=messages.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await press(pilot, "slash", *"payment", "enter")  # filter, back to the list
        await press(pilot, "s", *str(SEED), "enter")  # seed, and play
        assert isinstance(app.screen, BriefingScreen)
        assert any(isinstance(m, GameStarted) for m in messages)
        assert app.game is not None
        assert app.game.seed == SEED
        start = app.game.view.now
        await press(pilot, "enter")
        assert isinstance(app.screen, ConsoleScreen)

        await press(pilot, "r")  # the service map, 20 s
        assert app.snapshot is not None
        assert app.snapshot.map is not None
        assert app.game.view.now == start + 20
        await press(pilot, "2", "slash", *"payments errors 15m", "enter")  # a chart, 45 s
        assert [c.key for c in app.snapshot.charts] == ["payments errors"]
        await press(pilot, "5", "r")  # the timeline, 30 s
        assert app.snapshot.events
        await press(pilot, "1", "slash", *"do rollback payments", "enter")
        await press(pilot, "slash", *"do disable-retries checkout to=payments", "enter")
        await press(pilot, "w")
        await press(pilot, "d", *"payments", "tab", *"bad-deploy", "tab", *"0.8", "enter")
        session = app.game.view
        assert session.declarations[-1]["hypotheses"][0] == {
            "component": "payments",
            "kind": "bad-deploy",
            "confidence": 0.8,
        }
        assert [a["action"]["type"] for a in session.actions] == [
            "query",
            "query",
            "query",
            "mitigate",
            "mitigate",
            "wait",
            "declare",
        ]
        await press(pilot, "e")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        assert isinstance(app.screen, DebriefScreen)
        assert session.ended
        assert session.end_reason == "ended by the player"
        assert any(isinstance(m, GameEnded) for m in messages)
        assert _actions(messages)[-1] == {"type": "end"}
        assert all(not m.snapshot.error for m in messages if isinstance(m, ActionCompleted))


@run_async
async def test_bad_query_is_a_clear_message(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConsoleScreen)
        assert app.game is not None
        before = app.game.view.now
        await press(pilot, "2", "slash", *"paymnets errors", "enter")
        assert app.snapshot is not None
        assert app.snapshot.error
        assert "did you mean 'payments'" in app.snapshot.message
        assert app.game.view.now == before  # a rejected query costs nothing
        await press(pilot, "slash", *"payments nosuchmetric", "enter")
        assert "unknown metric" in app.snapshot.message
        await press(pilot, "1", "slash", *"do", "enter")
        message = str(app.screen.query_one("#message").render())
        assert "usage: do ACTION TARGET" in message
        await press(pilot, "slash", *"frobnicate now", "enter")
        assert app.snapshot.error
        assert "frobnicate" in app.snapshot.message
        assert app.game.view.now == before
        assert isinstance(app.screen, ConsoleScreen)


@run_async
async def test_risky_action_asks_first(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.game is not None
        await press(pilot, "slash", *"do restart payments", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert isinstance(app.screen, ConsoleScreen)
        assert app.game.view.actions == []
        await press(pilot, "slash", *"do restart payments", "enter", "y")
        assert [a["action"]["action"] for a in app.game.view.actions] == ["restart"]


@run_async
async def test_export_postmortem(app_factory: Callable[..., ChaosApp], tmp_path: Path) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "w", "e", "y")
        assert isinstance(app.screen, DebriefScreen)
        await press(pilot, "x")
        written = list(tmp_path.glob("postmortem-*.md"))
        assert len(written) == 1
        assert "wait 60s" in written[0].read_text()


@run_async
async def test_log_search_and_paging(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "slash", *"payments error", "enter")
        assert app.snapshot is not None
        assert app.snapshot.logs is not None
        assert app.snapshot.logs["query"] == '{service="payments"} |= "error"'
        assert app.snapshot.logs["lines"]
        await press(pilot, "n")
        assert app.snapshot.logs["page"] == 2
        await press(pilot, "slash", *'{service="paymnets"}', "enter")
        assert app.snapshot.error
        assert "payments" in app.snapshot.message  # a suggestion, not a crash


@run_async
async def test_resume_after_quit(app_factory: Callable[..., ChaosApp], tmp_path: Path) -> None:
    from chaosgame.game.records import RunStore

    store = RunStore(tmp_path / "runs.sqlite")
    app = app_factory("checkout-payment-step-failing", start="console", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "r", "w")
        assert app.game is not None
        played, clock = list(app.game.view.actions), app.game.view.now
        await pilot.press("ctrl+q")
    record = store.get("unfinished")
    assert record.actions == played
    again = app_factory(None, store=store, resume=record)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, ConsoleScreen)
        assert again.game is not None
        assert again.game.view.now == clock
        assert again.game.view.actions == played
        assert again.snapshot is not None
        assert "Resumed after 2 actions" in again.snapshot.message
        await press(pilot, "w")
        assert len(store.get(record.id).actions) == 3  # still saved after every action


@run_async
async def test_a_file_is_validated_when_played(
    app_factory: Callable[..., ChaosApp], tmp_path: Path
) -> None:
    from chaosgame.scenario.library import find

    good = tmp_path / "good.yaml"
    good.write_text(find("checkout-payment-step-failing").read_text())
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "id: broken\ntitle: Looks fine from the list\ntopics: [slo]\nseed: 3\n"
        "components:\n  - name: api\n    kind: servce\n"
    )
    app = app_factory(library=[broken, good])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert [e.title for e in home.entries][0] == "Looks fine from the list"
        assert home.loaded == {}  # only headers were read
        await press(pilot, *LIBRARY, "enter")
        assert app.screen is home
        assert app.game is None
        problem = home.entries[0].problem
        assert problem.startswith(f"{broken}:1:1:")
        assert "required" in problem
        assert problem in str(home.query_one("#detail").render())
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.game is not None
        assert app.game.scenario_id == "checkout-payment-step-failing"


@run_async
async def test_declare_by_picking_from_the_lists(app_factory: Callable[..., ChaosApp]) -> None:
    from textual.widgets import Input, OptionList

    from chaosgame.tui.screens.dialogs import DeclareDialog

    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        choices = dialog.query_one("#choices", OptionList)
        await press(pilot, *"paym")
        assert [o.id for o in choices.options] == ["payments", "payments-db"]
        await press(pilot, "down", "enter")  # into the list, take it: on to the kind
        assert dialog.query_one("#comp0", Input).value == "payments"
        await press(pilot, *"retry")
        kinds = [str(o.id) for o in choices.options]
        named = [k for k in kinds if "retry" in k]
        assert named
        assert kinds[: len(named)] == named  # names first, then kinds whose summary says it
        from chaosgame.game.menu import KIND_SUMMARIES

        assert all("retry" in KIND_SUMMARIES[k] for k in kinds[len(named) :])
        await press(pilot, "backspace", "backspace", "backspace", "backspace", "backspace")
        await press(pilot, *"bad dep", "down", "enter", *"0.6", "enter")
        assert app.game is not None
        assert app.game.view.declarations[-1]["hypotheses"][0] == {
            "component": "payments",
            "kind": "bad-deploy",
            "confidence": 0.6,
        }


@run_async
async def test_trace_search_then_waterfall(app_factory: Callable[..., ChaosApp]) -> None:
    from textual.widgets import OptionList, Static

    from chaosgame.telemetry.query import COSTS

    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.game is not None
        start = app.game.view.now
        await press(pilot, "4", "slash", *"checkout status=error", "enter")
        listing = app.screen.query_one("#trace-list", OptionList)
        assert listing.display
        assert listing.option_count > 0
        assert listing.has_focus
        first = listing.get_option_at_index(0)
        assert "✗" in str(first.prompt)
        searched = app.game.view.now
        assert searched > start
        await press(pilot, "enter")  # open the highlighted trace
        assert app.snapshot is not None
        assert app.snapshot.traces is not None
        assert app.snapshot.traces["kind"] == "trace"
        assert app.snapshot.traces["trace_id"] == first.id
        assert app.game.view.now == searched + COSTS["trace"]
        body = str(app.screen.query_one("#trace-body", Static).render())
        assert f"trace {first.id}" in body
        assert "edge POST /api/checkout" in body
        assert "✗" in body
        assert "↳ " in body  # a failed span says why
        assert listing.option_count > 0  # the search's list stays


@run_async
async def test_palette_runs_queries_and_mitigations(app_factory: Callable[..., ChaosApp]) -> None:
    from textual.command import CommandList, CommandPalette

    async def found(text: str) -> None:
        """Wait (by rounds of messages, not by the clock) until the palette offers ``text``."""
        for _ in range(200):
            await pilot.pause()
            if isinstance(app.screen, CommandPalette):
                options = app.screen.query_one(CommandList)
                if options.option_count and text in str(options.get_option_at_index(0).prompt):
                    return
        raise AssertionError(f"the palette never offered {text!r}")

    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.game is not None
        session = app.game.view
        await press(pilot, "colon")
        assert isinstance(app.screen, CommandPalette)
        await press(pilot, *"wait 5m")
        await found("wait 5m")
        await press(pilot, "enter")
        assert isinstance(app.screen, ConsoleScreen)
        assert session.actions[-1]["action"] == {"type": "wait", "seconds": 300.0}

        await press(pilot, "colon", *"restart payments")
        await found("restart payments")
        await press(pilot, "enter")  # a risky mitigation: asked first, and refused here
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert session.actions[-1]["action"]["type"] == "wait"

        await press(pilot, "colon", *"do rollback payments")  # a console command as typed
        await found("run: do rollback payments")
        await press(pilot, "enter")
        assert session.actions[-1]["action"] == {
            "type": "mitigate",
            "action": "rollback",
            "target": "payments",
        }
