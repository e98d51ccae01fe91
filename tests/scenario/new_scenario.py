"""A small valid scenario file (``chaosgame new``'s template) with its header changed."""

from __future__ import annotations

import re
from pathlib import Path

from chaosgame.scenario.library import scenario_dir
from chaosgame.scenario.template import render


def write(
    tmp_path: Path, sid: str, title: str | None = None, aliases: list[str] | None = None
) -> Path:
    """``tmp_path/<sid>.yaml`` with this id, and this title and these aliases when given."""
    text = render(sid, str(scenario_dir() / "scenario.schema.json"))
    if title is not None:
        text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text, count=1)
    if aliases is not None:
        text = re.sub(r"(?m)^id: .*$", f"id: {sid}\naliases: [{', '.join(aliases)}]", text, count=1)
    path = tmp_path / f"{sid}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, start: str) -> int:
    """The number of the first line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.startswith(start))
