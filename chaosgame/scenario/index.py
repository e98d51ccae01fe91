"""What a list of scenarios shows, read from each file's header without validating the rest.

Reading the header costs a YAML parse (libyaml's when present) and no model import, so the
home screen can list the library at once; the whole file is validated when it is played.
The headers are kept between starts in a small cache file, re-read for any file whose size
or modification time changed, so a start usually parses nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaosgame import __version__

if TYPE_CHECKING:
    from chaosgame.scenario.yamlread import Marks

CACHE_ENV = "CHAOSGAME_CACHE"
"""A folder for the header cache, or ``off`` to keep none."""
CACHE_FORMAT = 1

DIFFICULTIES = ("easy", "medium", "hard", "expert")
HEADER_KEYS = frozenset(
    ("id", "aliases", "title", "summary", "topics", "difficulty", "expected_minutes", "seed")
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
    aliases: tuple[str, ...] = ()
    """Earlier ids of the scenario (``chaosgame.scenario.library.find`` knows them)."""

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
    from chaosgame.scenario.yamlread import ScenarioError, read_text

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
    aliases = data.get("aliases")
    take(
        "aliases",
        isinstance(aliases, list) and all(isinstance(a, str) for a in aliases),
        "aliases",
        tuple(aliases or ()),
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
    from chaosgame.scenario.yamlread import ScenarioError, parse_yaml

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


def cache_file() -> Path | None:
    """Where headers are kept between starts: ``$CHAOSGAME_CACHE/index.json`` (``off``: no
    cache), else ``chaosgame/index.json`` in the user's cache folder (``$XDG_CACHE_HOME`` or
    ``~/.cache``; ``~/Library/Caches`` on macOS; ``%LOCALAPPDATA%`` on Windows)."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        if env.strip().lower() in ("", "off", "0", "no"):
            return None
        return Path(env).expanduser() / "index.json"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "chaosgame" / "Cache" / "index.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "chaosgame" / "index.json"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "chaosgame" / "index.json"


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def _load(where: Path | None) -> dict[str, Any]:
    """The cached headers by path; empty when absent, unreadable, or from another version."""
    if where is None:
        return {}
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    ok = isinstance(data, dict) and data.get("format") == CACHE_FORMAT
    if not ok or data.get("version") != __version__ or not isinstance(data.get("files"), dict):
        return {}
    files: dict[str, Any] = data["files"]
    return files


def _save(where: Path, files: dict[str, Any]) -> None:
    """Write the cache whole (a temporary file renamed over it); a failure only costs speed."""
    body = {"format": CACHE_FORMAT, "version": __version__, "files": files}
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = where.with_name(f"{where.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
        os.replace(tmp, where)
    except OSError:
        pass


def _cached(hit: Any, path: Path, stamp: list[int]) -> Entry | None:
    if not isinstance(hit, dict) or hit.get("stamp") != stamp:
        return None
    e = hit.get("entry")
    if not isinstance(e, dict):
        return None
    try:
        entry = Entry(
            path,
            str(e["id"]),
            str(e["title"]),
            tuple(str(t) for t in e["topics"]),
            str(e["difficulty"]),
            int(e["minutes"]),
            int(e["seed"]),
            str(e["summary"]),
            str(e["problem"]),
            tuple(str(a) for a in e["aliases"]),  # an entry cached without them is read again
        )
    except (KeyError, TypeError, ValueError):
        return None
    return entry


def read_index(
    paths: list[Path] | None = None, cache: Path | None | str = "default"
) -> list[Entry]:
    """The header of every file given (default: the curated library), in order.

    ``cache`` is the cache file (``"default"``: :func:`cache_file`; None: no cache).
    """
    if paths is None:
        from chaosgame.scenario.library import scenario_paths

        paths = scenario_paths()
    where = cache_file() if cache == "default" else (Path(cache) if cache else None)
    known = _load(where)
    out = []
    changed = False
    for p in paths:
        key, stamp = str(Path(p).resolve()), _stamp(Path(p))
        entry = _cached(known.get(key), Path(p), stamp) if stamp is not None else None
        if entry is None:
            entry = read_entry(p)
            if stamp is not None:
                fields = {k: v for k, v in entry.__dict__.items() if k != "path"}
                known[key] = {
                    "stamp": stamp,
                    "entry": {
                        **fields,
                        "topics": list(entry.topics),
                        "aliases": list(entry.aliases),
                    },
                }
                changed = True
        out.append(entry)
    if changed and where is not None:
        _save(where, known)
    return out
