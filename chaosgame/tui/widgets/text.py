"""Styled text helpers that understand theme variables (``$error``, ``$accent``).

Everything here builds :class:`~textual.content.Content` from plain strings: text written by a
scenario's author or typed by the player is shown as written, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

MIN_BODY = 12
"""Narrowest column a hanging paragraph's body is wrapped to, however long its lead."""


class Parts:
    """Collect ``(text, style)`` pieces, then :meth:`content` makes one :class:`Content`."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, str] | str] = []

    def add(self, text: str, style: str = "") -> Parts:
        """Append ``text`` in ``style`` (a Textual style, theme variables allowed)."""
        self.pieces.append((text, style) if style else text)
        return self

    def line(self) -> Parts:
        """Start a new line."""
        self.pieces.append("\n")
        return self

    def content(self) -> Content:
        """The assembled content, without a trailing newline."""
        while self.pieces and self.pieces[-1] == "\n":
            self.pieces.pop()
        return Content.assemble(*self.pieces)


class Hanging(Visual):
    """Paragraphs with a hanging indent, wrapped afresh for whatever width they get.

    Each paragraph is a *lead* (a time, a marker, a score) followed by a *body*; the body's
    continuation lines start under its first character, so leads stay in a column:

        +1m10s  do rollback payments: v3.2.0 -> v3.1.9; burn rate
                110.9x -> 0.0x (part of the reference solution)
    """

    def __init__(self, paragraphs: Sequence[tuple[Content, Content]]) -> None:
        self.paragraphs = list(paragraphs)
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return "\n".join(lead.plain + body.plain for lead, body in self.paragraphs)

    def at_width(self, width: int) -> Content:
        """The paragraphs wrapped to ``width`` cells, as one :class:`Content`."""
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        lines: list[Content] = []
        for lead, body in self.paragraphs:
            room = max(width - lead.cell_length, MIN_BODY)
            wrapped = body.wrap(room) if body.plain else [Content("")]
            pad = Content(" " * lead.cell_length)
            lines.append(lead + wrapped[0])
            lines.extend(pad + line for line in wrapped[1:])
        out = Content("\n").join(lines)
        self._cache = (width, out)
        return out

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        """Render the paragraphs wrapped to ``width``."""
        return self.at_width(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """The longest paragraph on one line."""
        return max(
            (lead.cell_length + body.cell_length for lead, body in self.paragraphs), default=0
        )

    def get_minimal_width(self, rules: RulesMap) -> int:
        """The widest lead plus the narrowest body."""
        return max((lead.cell_length for lead, _ in self.paragraphs), default=0) + MIN_BODY

    def get_height(self, rules: RulesMap, width: int) -> int:
        """Lines the paragraphs take at ``width``."""
        return self.at_width(width).get_height(rules, width)
