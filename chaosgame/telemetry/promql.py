"""A parser for the PromQL subset chaosgame answers (see ``docs/queries.md``).

Selectors with label matchers (``=``, ``!=``, ``=~``, ``!~``), range selectors (``[5m]``),
``offset``, functions, aggregations with ``by``/``without`` and arithmetic and comparison
operators. The parser returns a small tree; ``promeval`` evaluates it over the history.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from chaosgame.scenario import units
from chaosgame.telemetry import regex
from chaosgame.telemetry.errors import QueryError

AGGREGATIONS = ("sum", "avg", "max", "min", "count", "topk", "bottomk")
FUNCTIONS = {
    "rate": "r",
    "irate": "r",
    "increase": "r",
    "avg_over_time": "r",
    "max_over_time": "r",
    "min_over_time": "r",
    "sum_over_time": "r",
    "count_over_time": "r",
    "last_over_time": "r",
    "quantile_over_time": "sr",
    "histogram_quantile": "sv",
    "abs": "v",
    "clamp_min": "vs",
    "clamp_max": "vs",
}
"""Function name -> argument kinds: s scalar, v instant vector, r range vector."""

_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<dur>(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+\b)|(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
    |(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)
    |(?P<op>=~|!~|!=|==|>=|<=|[-+*/%(){}\[\],=<>])""",
    re.VERBOSE,
)


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "`": "`"}


def unquote(literal: str, text: str = "", pos: int | None = None) -> str:
    """The value of a quoted string (``"..."``, ``'...'`` or raw `` `...` ``).

    ``\\"``, ``\\\\``, ``\\n``, ``\\t``, ``\\xNN`` and ``\\uNNNN`` are read as escapes; any other
    backslash stays as written, so a regular expression's ``\\d`` or ``\\.`` means what it says.
    A :class:`QueryError` at ``pos`` of ``text`` when the value is not text.
    """
    if literal.startswith("`"):
        body = literal[1:-1]
    else:

        def one(m: re.Match[str]) -> str:
            esc = m.group(1)
            code = int(esc[1:], 16) if esc[0] in "uUx" and len(esc) > 1 else -1
            if 0 <= code <= 0x10FFFF:
                return chr(code)
            return _SIMPLE.get(esc, "\\" + esc)

        body = _ESCAPE.sub(one, literal[1:-1])
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("this string holds characters that are not text", text, pos) from None
    return body


def too_long(text: str, what: str) -> str:
    """The message for a duration too long to be a number of seconds."""
    shown = text if len(text) <= 24 else f"{text[:20]}..."
    return f"{what}: '{shown}' is too long a duration"


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    value: str

    def test(self, actual: str) -> bool:
        """Whether a label value satisfies this matcher (regexes are anchored)."""
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = regex.compile(self.value).fullmatch(actual)
        return hit if self.op == "=~" else not hit


@dataclass(frozen=True)
class Num:
    value: float
    pos: int = 0


@dataclass(frozen=True)
class Selector:
    name: str | None
    matchers: tuple[Matcher, ...]
    range: float | None
    offset: float
    pos: int


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Agg:
    op: str
    expr: Node
    param: Node | None
    by: tuple[str, ...] | None
    without: tuple[str, ...] | None
    pos: int


@dataclass(frozen=True)
class Bin:
    op: str
    lhs: Node
    rhs: Node
    pos: int


Node = Num | Selector | Call | Agg | Bin


def tokenize(text: str) -> list[Tok]:
    out: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise QueryError(f"unexpected character {text[pos]!r}", text, pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append(Tok(kind, m.group(), pos))
        pos = m.end()
    out.append(Tok("end", "", len(text)))
    return out


@dataclass
class Parser:
    text: str
    toks: list[Tok] = field(default_factory=list)
    i: int = 0

    def __post_init__(self) -> None:
        self.toks = tokenize(self.text)

    # -- helpers
    def peek(self, ahead: int = 0) -> Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def fail(self, msg: str, tok: Tok | None = None) -> QueryError:
        tok = tok or self.peek()
        found = "the end of the query" if tok.kind == "end" else repr(tok.text)
        return QueryError(f"{msg}, found {found}", self.text, tok.pos)

    def _duration(self, tok: Tok, what: str) -> float:
        """A duration token as seconds, or the one not-a-duration message at its position
        (with what is written right after it: ``offset 5x`` is one mistake, not two)."""
        text = tok.text
        while tok.kind != "end" and self.peek().kind in ("dur", "num", "name"):
            if self.peek().pos != tok.pos + len(text):
                break
            text += self.take().text
        return self._seconds(text, tok.pos, what)

    def _seconds(self, text: str, pos: int, what: str) -> float:
        try:
            value = units.seconds(text, what)
        except units.DurationError as exc:
            raise QueryError(str(exc), self.text, pos) from None
        if not math.isfinite(value):
            raise QueryError(too_long(text, what), self.text, pos)
        return value

    def _range(self) -> float:
        """The duration between ``[`` (just taken) and ``]``: ``[5m]``, ``[1h30m]``."""
        first = self.peek()
        close = self.text.find("]", first.pos)
        if close < 0:
            raise self.fail("expected a duration and ']'")
        value = self._seconds(self.text[first.pos : close], first.pos, "range")
        while self.peek().kind != "end" and self.peek().pos < close:
            self.take()
        self.expect("]")
        return value

    def expect(self, text: str) -> Tok:
        if self.peek().text != text:
            raise self.fail(f"expected '{text}'")
        return self.take()

    # -- grammar
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise QueryError("empty query", self.text, 0)
        node = self.expr(0)
        if self.peek().kind != "end":
            raise self.fail("expected an operator or the end of the query")
        return node

    LEVELS = (("==", "!=", ">", "<", ">=", "<="), ("+", "-"), ("*", "/", "%"))

    def expr(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.expr(level + 1)
        while self.peek().kind == "op" and self.peek().text in self.LEVELS[level]:
            op = self.take()
            rhs = self.expr(level + 1)
            node = Bin(op.text, node, rhs, op.pos)
        return node

    def unary(self) -> Node:
        if self.peek().text == "-":
            tok = self.take()
            return Bin("*", Num(-1.0, tok.pos), self.unary(), tok.pos)
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            return Num(float(tok.text), tok.pos)
        if tok.kind == "dur":
            raise self.fail("a duration belongs in a range selector such as [5m]")
        if tok.text == "(":
            self.take()
            node = self.expr(0)
            self.expect(")")
            return node
        if tok.text == "{":
            return self.selector(None, tok.pos)
        if tok.kind == "name":
            self.take()
            if tok.text in AGGREGATIONS:
                return self.aggregation(tok)
            if self.peek().text == "(":
                return self.call(tok)
            return self.selector(tok.text, tok.pos)
        raise self.fail("expected a metric name, a number or '('")

    def labels(self) -> tuple[str, ...]:
        self.expect("(")
        names: list[str] = []
        while self.peek().text != ")":
            t = self.take()
            if t.kind != "name":
                raise self.fail("expected a label name", t)
            names.append(t.text)
            if self.peek().text == ",":
                self.take()
        self.expect(")")
        return tuple(names)

    def aggregation(self, tok: Tok) -> Node:
        by = without = None
        if self.peek().text in ("by", "without"):
            which = self.take().text
            if which == "by":
                by = self.labels()
            else:
                without = self.labels()
        self.expect("(")
        param = None
        if tok.text in ("topk", "bottomk"):
            param = self.expr(0)
            self.expect(",")
        inner = self.expr(0)
        self.expect(")")
        if self.peek().text in ("by", "without") and by is None and without is None:
            which = self.take().text
            if which == "by":
                by = self.labels()
            else:
                without = self.labels()
        return Agg(tok.text, inner, param, by, without, tok.pos)

    def call(self, tok: Tok) -> Node:
        if tok.text not in FUNCTIONS:
            from chaosgame.telemetry.errors import suggest

            raise QueryError(suggest(tok.text, FUNCTIONS, "function"), self.text, tok.pos)
        self.expect("(")
        args: list[Node] = []
        while self.peek().text != ")":
            args.append(self.expr(0))
            if self.peek().text == ",":
                self.take()
            elif self.peek().text != ")":
                raise self.fail("expected ',' or ')'")
        self.expect(")")
        want = FUNCTIONS[tok.text]
        if len(args) != len(want):
            raise QueryError(
                f"{tok.text}() takes {len(want)} argument{'s' if len(want) > 1 else ''}, "
                f"got {len(args)}",
                self.text,
                tok.pos,
            )
        for kind, arg in zip(want, args, strict=True):
            is_range = isinstance(arg, Selector) and arg.range is not None
            if kind == "r" and not is_range:
                raise QueryError(
                    f"{tok.text}() needs a range vector such as metric{{...}}[5m]",
                    self.text,
                    getattr(arg, "pos", tok.pos),
                )
            if kind != "r" and is_range:
                raise QueryError(
                    f"{tok.text}() takes an instant vector here, not a range [..]",
                    self.text,
                    getattr(arg, "pos", tok.pos),
                )
        return Call(tok.text, tuple(args), tok.pos)

    def selector(self, name: str | None, pos: int) -> Node:
        matchers: list[Matcher] = []
        if self.peek().text == "{":
            self.take()
            while self.peek().text != "}":
                lab = self.take()
                if lab.kind != "name":
                    raise self.fail("expected a label name", lab)
                op = self.take()
                if op.text not in ("=", "!=", "=~", "!~"):
                    raise self.fail("expected =, !=, =~ or !~", op)
                val = self.take()
                if val.kind != "str":
                    raise self.fail('expected a quoted value such as "checkout"', val)
                value = unquote(val.text, self.text, val.pos)
                if op.text in ("=~", "!~"):
                    try:
                        regex.compile(value)
                    except regex.RegexError as exc:
                        raise QueryError(str(exc), self.text, val.pos) from None
                matchers.append(Matcher(lab.text, op.text, value))
                if self.peek().text == ",":
                    self.take()
                elif self.peek().text != "}":
                    raise self.fail("expected ',' or '}'")
            self.expect("}")
        if name is None and not matchers:
            raise QueryError("a selector needs a metric name or a label matcher", self.text, pos)
        rng = None
        if self.peek().text == "[":
            self.take()
            rng = self._range()
        offset = 0.0
        if self.peek().text == "offset":
            self.take()
            offset = self._duration(self.take(), "offset")
        return Selector(name, tuple(matchers), rng, offset, pos)


def parse(text: str) -> Node:
    """Parse a PromQL-style expression; raise :class:`QueryError` with a position."""
    return Parser(text).parse()
