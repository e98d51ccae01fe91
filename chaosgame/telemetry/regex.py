"""Regular expressions of the query language, in RE2 syntax and linear time.

LogQL and PromQL take RE2 regular expressions, and so does chaosgame: line filters (``|~``,
``!~``) and label matchers (``=~``, ``!~``) are compiled by RE2 (the ``google-re2`` package),
which matches in time linear in the length of the text whatever the pattern, so no pattern can
make a search run forever (``(.*a){25}`` is as quick as ``timeout``). What RE2 does not offer
(backreferences such as ``\\1``, lookahead and lookbehind) is refused with a message that says
so; :func:`compile` raises :class:`RegexError` with that message.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import re2
from numpy.typing import NDArray

__all__ = ["Pattern", "RegexError", "compile"]


class RegexError(ValueError):
    """A pattern RE2 cannot compile; the message says why in the player's terms."""


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would write its complaints to stderr, over the screen
_LINES = re2.Options()
_LINES.log_errors = False
_LINES.never_nl = True  # over lines joined by newlines, no match spans two of them
_NOT_PER_LINE = re.compile(r"\\[ACz]|\(\?[a-zA-Z]*-")
"""What a pattern over lines joined by newlines would read differently than over each line:
whole-text anchors, any byte, and flags turned off (``(?-m)``)."""
BATCH = 4096
"""Lines joined into one text to test them in one pass."""

SYNTAX = "regular expressions use RE2 syntax (as in Loki and Prometheus)"
_BACKREF = re.compile(r"invalid escape sequence: \\[1-9]")
_LOOK = re.compile(r"invalid (?:perl operator|named capture group): \(\?<?[=!]")


def explain(message: str) -> str:
    """RE2's complaint about a pattern in words a player can act on."""
    if _BACKREF.search(message):
        return f"backreferences such as \\1 are not supported: {SYNTAX}, which has none"
    if _LOOK.search(message):
        return (
            "lookahead and lookbehind such as (?=...) or (?<!...) are not supported: "
            f"{SYNTAX}, which has none"
        )
    if "repetition size" in message:
        return f"a repetition count is at most 1000 ({message.rsplit(':', 1)[-1].strip()})"
    if message.endswith("\\Z"):
        return f"bad regular expression: {message} (write \\z for the end of the text)"
    if "pattern too large" in message:
        return "this regular expression is too large; write a shorter one"
    return f"bad regular expression: {message}"


class Pattern:
    """A pattern compiled by RE2: tests one text, or many lines in one pass."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._one: Any = re2.compile(pattern, _OPTIONS)
        self._many: Any = (
            None if _NOT_PER_LINE.search(pattern) else re2.compile(f"(?m){pattern}", _LINES)
        )

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in ``text``."""
        return self._one.search(text) is not None

    def fullmatch(self, text: str) -> bool:
        """Whether the pattern matches all of ``text`` (label matchers are anchored)."""
        return self._one.fullmatch(text) is not None

    def lines(self, texts: Sequence[str]) -> NDArray[np.bool_]:
        """Which of ``texts`` (lines without newlines) the pattern occurs in.

        Lines are joined with newlines, in batches, and searched in one pass each: a search
        starts again at the line after each match, so a batch costs one call per matching
        line, plus one.
        """
        out = np.zeros(len(texts), np.bool_)
        if self._many is None or any("\n" in t for t in texts):
            for i, t in enumerate(texts):
                out[i] = self._one.search(t) is not None
            return out
        for b0 in range(0, len(texts), BATCH):
            part = [t.encode("utf-8") for t in texts[b0 : b0 + BATCH]]
            joined = b"\n".join(part)
            starts = np.cumsum([0] + [len(p) + 1 for p in part[:-1]]).tolist()
            pos = 0
            while pos <= len(joined):
                m = self._many.search(joined, pos)
                if m is None:
                    break
                i = bisect.bisect_right(starts, m.start()) - 1
                out[b0 + i] = True
                if i + 1 >= len(starts):
                    break
                pos = starts[i + 1]
        return out


@functools.lru_cache(maxsize=256)
def compile(pattern: str) -> Pattern:  # noqa: A001 - the name every regex module uses
    """``pattern`` compiled by RE2; :class:`RegexError` with a clear message otherwise."""
    try:
        return Pattern(pattern)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise RegexError(explain(text)) from None
    except (UnicodeError, TypeError):
        raise RegexError("bad regular expression: it holds characters that are not text") from None


_ZERO_OR_MORE = "*?"
_CLASS_ESCAPES = frozenset("dDwWsSbBAz")


def required(pattern: str) -> list[str] | None:
    """A literal that a match must contain, for each top-level alternative of ``pattern``
    (the longest one found), or None when that cannot be told for every alternative.

    A search uses them to skip the lines whose templates cannot hold any of them without
    writing them out. Only a plain subset of the syntax is read (literal characters, escaped
    punctuation, ``.``, classes, groups, quantifiers, anchors); anything else (flags such as
    ``(?i)``, unicode classes, other escapes) gives None, so no line is ever skipped wrongly.
    """
    try:
        alts, end = _alternatives(pattern, 0)
    except _Unknown:
        return None
    if end != len(pattern):
        return None
    best = [max(lits, key=len) if lits else "" for lits in alts]
    return best if all(best) else None


class _Unknown(Exception):
    """A construct :func:`required` does not read."""


def _alternatives(p: str, i: int) -> tuple[list[list[str]], int]:
    """The alternatives from ``p[i]`` to the closing ``)`` or the end, each with the literal
    runs a match must contain; and where they stopped."""
    alts: list[list[str]] = []
    lits: list[str] = []
    run = ""
    while i < len(p) and p[i] != ")":
        c = p[i]
        if c == "|":
            alts.append([*lits, run] if run else lits)
            lits, run = [], ""
            i += 1
            continue
        # one atom: its literal text ("" when it is not a literal) and whether it is required
        if c == "(":
            if p.startswith("(?:", i):
                start = i + 3
            elif p.startswith(("(?<=", "(?<!"), i):
                raise _Unknown
            elif p.startswith(("(?P<", "(?<"), i):
                close = p.find(">", i)
                if close < 0:
                    raise _Unknown
                start = close + 1
            elif p.startswith("(?", i):
                raise _Unknown  # flags, lookaround
            else:
                start = i + 1
            inner, j = _alternatives(p, start)
            if j >= len(p) or p[j] != ")":
                raise _Unknown
            i = j + 1
            atom, group = "", inner[0] if len(inner) == 1 else []
        elif c == "[":
            i = _class_end(p, i)
            atom, group = "", []
        elif c == "\\":
            if i + 1 >= len(p):
                raise _Unknown
            e = p[i + 1]
            if e in _CLASS_ESCAPES:
                atom = ""
            elif not e.isalnum() and e.isascii():
                atom = e
            else:
                raise _Unknown
            i += 2
            group = []
        elif c in ".^$":
            atom, group = "", []
            i += 1
        elif c in "*+?{":
            raise _Unknown  # a quantifier with nothing before it
        else:
            atom, group = c, []
            i += 1
        optional, repeated, i = _quantifier(p, i)
        if optional:
            lits.append(run)
            run = ""
            continue
        if atom:
            run += atom
            if repeated:
                lits.append(run)
                run = atom
            continue
        lits.extend([run, *group])
        run = ""
    alts.append([*lits, run])
    return [[lit for lit in a if lit] for a in alts], i


def _quantifier(p: str, i: int) -> tuple[bool, bool, int]:
    """(the atom before may be absent, it may repeat, where the quantifier ends)."""
    if i >= len(p):
        return False, False, i
    c = p[i]
    if c in _ZERO_OR_MORE or c == "+":
        i += 1
        if i < len(p) and p[i] == "?":
            i += 1  # lazy
        return c != "+", True, i
    if c == "{":
        m = re.match(r"\{(\d+)(,\d*)?\}", p[i:])
        if m is None:
            raise _Unknown
        i += m.end()
        if i < len(p) and p[i] == "?":
            i += 1
        return int(m.group(1)) == 0, True, i
    return False, False, i


def _class_end(p: str, i: int) -> int:
    """Where the class ``[...]`` that starts at ``p[i]`` ends (just after its ``]``)."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while j < len(p):
        if p[j] == "\\":
            j += 2
            continue
        if p.startswith("[:", j):
            close = p.find(":]", j + 2)
            if close < 0:
                raise _Unknown
            j = close + 2
            continue
        if p[j] == "]":
            return j + 1
        j += 1
    raise _Unknown
