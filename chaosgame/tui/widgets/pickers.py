"""The home screen's settings for a new generated incident: a difficulty and a topic picker."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, Select

from chaosgame.generate.menu import DIFFICULTIES, TOPIC_CHOICES

ANY = "any"
"""The topic picker's value for "any topic" (a select's values cannot be None)."""


class GeneratorPickers(Horizontal):
    """``new incident  difficulty [normal]  topic [any topic]`` on one line."""

    DEFAULT_CSS = """
    GeneratorPickers {
        height: 1;
    }
    GeneratorPickers > Label {
        width: auto;
    }
    GeneratorPickers > #difficulty {
        width: 12;
        margin-right: 2;
    }
    GeneratorPickers > #topic {
        width: 26;
    }
    """

    class Changed(Message):
        """The difficulty or the topic was changed."""

    def __init__(self, difficulty: str = "normal", topic: str | None = None) -> None:
        super().__init__(id="pickers")
        self._start = (difficulty, topic)

    def compose(self) -> ComposeResult:
        """Two labels, two compact selects."""
        difficulty, topic = self._start
        yield Label("new incident  difficulty ")
        yield Select(
            [(d, d) for d in DIFFICULTIES],
            value=difficulty,
            allow_blank=False,
            compact=True,
            id="difficulty",
        )
        yield Label("topic ")
        yield Select(
            [(label, value or ANY) for label, value in TOPIC_CHOICES],
            value=topic or ANY,
            allow_blank=False,
            compact=True,
            id="topic",
        )

    @property
    def difficulty(self) -> str:
        """The difficulty chosen."""
        return str(self.query_one("#difficulty", Select).value)

    @property
    def topic(self) -> str | None:
        """The topic chosen, or None for any topic."""
        value = str(self.query_one("#topic", Select).value)
        return None if value == ANY else value

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())
