"""A tiny builder of styled text that understands theme variables (``$error``, ``$accent``)."""

from __future__ import annotations

from textual.content import Content


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
