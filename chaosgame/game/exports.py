"""Where exported files go, and writing them without ever replacing one.

Exports (postmortems in Markdown) go into ``postmortems/`` beside the run records: the
user's data directory (``~/.local/share/chaosgame/postmortems`` on Linux), or beside the
database ``$CHAOSGAME_RECORDS`` names. A name already taken gets ``-2``, ``-3``, ... before
its extension, so an earlier export is never overwritten.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from chaosgame.game.records import default_path

FOLDER = "postmortems"


def folder() -> Path:
    """The folder exports go into (not created until something is written)."""
    return default_path().parent / FOLDER


def write_new(where: Path, name: str, text: str) -> Path:
    """Write ``text`` as ``where/name``, or as ``name-2``, ``name-3``... when that file
    exists; return the path written. Creates ``where`` if needed; raises ``OSError``."""
    where.mkdir(parents=True, exist_ok=True)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    for n in itertools.count(1):
        candidate = name if n == 1 else f"{stem}-{n}{dot}{ext}"
        path = where / candidate
        try:
            with path.open("x", encoding="utf-8") as out:
                out.write(text)
        except FileExistsError:
            continue
        return path
    raise AssertionError("unreachable")  # pragma: no cover
