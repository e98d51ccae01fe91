"""App-wide messages: what happened in the game, in the past tense.

Screens and workers post these; the app folds them into its one snapshot reactive. Tests read
them through ``run_test(message_hook=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from chaosgame.game.flow import Snapshot


class GameStarted(Message):
    """The world ran up to the page; the first snapshot is ready."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class ActionRequested(Message):
    """The player asked for an action (a plain-data dict for the session)."""

    def __init__(self, action: dict[str, Any]) -> None:
        super().__init__()
        self.action = action


class ActionCompleted(Message):
    """The session answered an action; ``snapshot`` is the new state of the game."""

    def __init__(self, action: dict[str, Any], snapshot: Snapshot) -> None:
        super().__init__()
        self.action = action
        self.snapshot = snapshot

    @property
    def ok(self) -> bool:
        """Whether the session accepted the action."""
        return not self.snapshot.error


class GameEnded(Message):
    """The game is over (the player ended it or time ran out)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot
