"""How much one query may read, and a way to stop it while it runs.

A log search reads lines in chunks. Between chunks it asks its :class:`Budget` whether it may
go on: the lines it has read one by one (to test a regular expression on their text) and in
bulk (plain filters on whole columns) are counted, and past :data:`RENDER_LINES` or
:data:`BULK_LINES` the search stops early and says so in its answer. A frontend that runs the
query in a worker passes ``stop`` (a worker's cancellation flag): when it answers True the
query raises :class:`Cancelled` at the next chunk, so quitting never waits for a search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chaosgame.telemetry.errors import QueryError

RENDER_LINES = 250_000
"""Most lines a search writes out to test regular expressions on (a few seconds' work)."""
BULK_LINES = 20_000_000
"""Most lines a search reads in bulk for plain filters (a few seconds' work)."""


class Cancelled(QueryError):
    """The query was stopped from outside (the game is closing) before it finished."""


@dataclass
class Budget:
    """Lines a query may still read, and the flag that stops it."""

    stop: Callable[[], bool] | None = None
    render_lines: int = field(default_factory=lambda: RENDER_LINES)
    bulk_lines: int = field(default_factory=lambda: BULK_LINES)
    rendered: int = 0
    """Lines written out so far."""
    read: int = 0
    """Lines read in bulk so far."""

    def check(self) -> None:
        """Raise :class:`Cancelled` when the query has been asked to stop."""
        if self.stop is not None and self.stop():
            raise Cancelled("the query was cancelled before it finished")

    @property
    def spent(self) -> bool:
        """Whether the query has read all it may."""
        return self.rendered >= self.render_lines or self.read >= self.bulk_lines
