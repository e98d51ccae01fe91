"""Query errors that say what is wrong, where, and what was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class QueryError(ValueError):
    """A query that cannot be answered; ``position`` points into the query text."""

    def __init__(
        self, message: str, text: str = "", position: int | None = None, token: str | None = None
    ) -> None:
        self.message = message
        self.text = text
        self.token = token
        if position is None and token and token in text:
            position = text.find(token)
        self.position = position
        super().__init__(self.render())

    def render(self) -> str:
        """The message, with the query and a caret under the position when known."""
        if self.position is None or not self.text:
            return self.message
        pos = max(0, min(self.position, len(self.text)))
        return f"{self.message} at position {pos + 1}\n  {self.text}\n  {' ' * pos}^"

    def within(self, text: str, offset: int = 0) -> QueryError:
        """The same error placed in a longer query text (``offset`` = where this part starts)."""
        if self.position is not None and self.text:
            return QueryError(self.message, text, self.position + offset)
        return QueryError(self.message, text, None, self.token)

    def as_dict(self) -> dict[str, object]:
        """Plain data for frontends that draw their own caret."""
        return {"error": self.message, "position": self.position, "query": self.text}


def suggest(word: str, known: Iterable[str], what: str = "name") -> str:
    """``unknown service 'chekout'; did you mean 'checkout'?`` (or a short list of names)."""
    names = sorted(set(known))
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if close:
        return f"unknown {what} '{word}'; did you mean '{close[0]}'?"
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f"unknown {what} '{word}'" + (f"; known: {shown}" if names else "")
