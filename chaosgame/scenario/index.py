"""What a list of scenarios shows, read from each file's header without validating the rest.

Reading the header costs a YAML parse (libyaml's when present) and no model import, so the
home screen can list the library at once; the whole file is validated when it is played.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from chaosgame.scenario.yamlread import Marks, ScenarioError, parse_yaml, read_text

DIFFICULTIES = ("easy", "medium", "hard", "expert")
HEADER_KEYS = frozenset(
    ("id", "title", "summary", "topics", "difficulty", "expected_minutes", "seed")
)
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def header_text(text: str) -> str | None:
    """The text with every top-level block but the header's blanked (lines keep their
    numbers, so positions stay exact); None when the file's top level is not plain
    ``key: value`` blocks, and the whole file must be read."""
    out = []
    keep = False
    for line in text.split("\n"):
        if line[:1] not in ("", " ", "\t", "#", "\r"):
            m = _TOP_KEY.match(line)
            if m is None:
                return None
            keep = m.group(1) in HEADER_KEYS
        out.append(line if keep else "")
    return "\n".join(out)


@dataclass(frozen=True)
class Entry:
    """One scenario as a list shows it; ``problem`` says why its header cannot be read."""

    path: Path | None
    id: str
    title: str
    topics: tuple[str, ...] = ()
    difficulty: str = "medium"
    minutes: int = 15
    seed: int = 1
    summary: str = ""
    problem: str = ""

    def row(self) -> dict[str, Any]:
        """The plain-data form (``chaosgame list --json`` and the home table)."""
        return {
            "id": self.id,
            "title": self.title,
            "topics": list(self.topics),
            "difficulty": self.difficulty,
            "minutes": self.minutes,
            "seed": self.seed,
        }


def _where(marks: Marks, key: str, path: str) -> str:
    _, line, col = marks.get((key,), (path, 1, 1))
    return f"{path}:{line}:{col}"


def read_entry(path: str | Path) -> Entry:
    """A scenario file's header; a file that cannot be read is an entry with a problem."""
    p = Path(path)
    broken = Entry(p, p.stem, "(cannot be loaded)")
    try:
        text = read_text(p)
        data, marks, problems = _parse_header(text, str(p))
    except ScenarioError as exc:
        return replace(broken, problem=str(exc.problems[0]))
    if not isinstance(data, dict):
        return replace(broken, problem=f"{p}:1:1: a scenario must be a mapping")
    fields: dict[str, Any] = {}
    wrong: list[str] = []

    def take(key: str, ok: bool, name: str, value: Any) -> None:
        if key not in data:
            return
        if ok:
            fields[name] = value
        else:
            wrong.append(f"{_where(marks, key, str(p))}: '{key}' has the wrong type")

    take("id", isinstance(data.get("id"), str), "id", data.get("id"))
    take("title", isinstance(data.get("title"), str), "title", data.get("title"))
    take("summary", isinstance(data.get("summary"), str), "summary", data.get("summary"))
    topics = data.get("topics")
    take(
        "topics",
        isinstance(topics, list) and all(isinstance(t, str) for t in topics),
        "topics",
        tuple(topics or ()),
    )
    take(
        "difficulty",
        data.get("difficulty") in DIFFICULTIES,
        "difficulty",
        data.get("difficulty"),
    )
    for key, name in (("expected_minutes", "minutes"), ("seed", "seed")):
        value = data.get(key)
        take(key, isinstance(value, int) and not isinstance(value, bool), name, value)
    if "title" not in fields:
        wrong.append(f"{p}:1:1: a scenario needs a 'title'")
    problem = (str(problems[0]) if problems else "") or (wrong[0] if wrong else "")
    entry = Entry(p, fields.pop("id", p.stem), fields.pop("title", broken.title), **fields)
    return replace(entry, problem=problem) if problem else entry


def _parse_header(text: str, path: str) -> tuple[Any, Marks, list[Any]]:
    """Parse only the header blocks when that is safe; the whole file otherwise (and
    whenever the header alone does not parse cleanly, so the messages are the file's own)."""
    head = header_text(text)
    if head is not None:
        try:
            data, marks, problems = parse_yaml(head, path)
        except ScenarioError:
            pass
        else:
            if isinstance(data, dict) and not problems:
                return data, marks, problems
    return parse_yaml(text, path)


def read_index(paths: list[Path] | None = None) -> list[Entry]:
    """The header of every file given (default: the curated library), in order."""
    if paths is None:
        from chaosgame.scenario.library import scenario_paths

        paths = scenario_paths()
    return [read_entry(p) for p in paths]
