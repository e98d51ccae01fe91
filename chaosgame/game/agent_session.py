"""One game for a program: requests in, answers out, as plain data (``docs/agent-protocol.md``).

The JSON-lines frontend (``chaosgame agent``), the Gymnasium-shaped environment
(:mod:`chaosgame.game.env`) and the classroom server all speak through an
:class:`AgentSession`. A request is an object with an ``op`` and an ``id``::

    {"id": 1, "op": "observe"}
    {"id": 2, "op": "query", "q": "rate(http_requests_total{code=~\\"5..\\"}[5m])"}
    {"id": 3, "op": "mitigate", "action": "rollback", "target": "payments"}
    {"id": 4, "op": "wait", "seconds": 60}
    {"id": 5, "op": "declare", "component": "payments", "kind": "bad-deploy"}
    {"id": 6, "op": "end"}

Every answer echoes the ``id``: ``{"id": ..., "result": {...}}`` or ``{"id": ..., "error":
{"code": ..., "message": ...}}``. A bad request never ends the session. The session plays
through the :class:`~chaosgame.game.player.PlayerView` alone, so nothing before ``end``
carries the hidden truth; the answer to ``end`` holds the score and the debrief.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chaosgame.game.actions import VIEWS, parse_action
from chaosgame.game.player import PlayerView

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

__all__ = [
    "ERROR_CODES",
    "MAX_REQUEST_BYTES",
    "OPS",
    "AgentSession",
    "ProtocolError",
    "dumps",
]

PROTOCOL_VERSION = 1
"""Bumped when an answer changes shape in a way an existing client could misread."""

MAX_REQUEST_BYTES = 65536
"""The longest request line taken (a query in the query language fits many times over)."""

OPS: dict[str, tuple[str, ...]] = {
    "observe": (),
    "catalog": (),
    "query": ("q", "view", "component", "metric", "window"),
    "mitigate": (),  # the action's own fields sit beside action and target: checked by the game
    "wait": ("seconds", "until"),
    "declare": ("component", "kind", "confidence", "alternatives"),
    "end": (),
}
"""Every op and the fields its request may carry besides ``id`` and ``op``."""

ACTION_OPS = ("query", "mitigate", "wait", "declare", "end")
"""Ops that are game actions (the same vocabulary as the terminal UI)."""

ERROR_CODES: dict[str, str] = {
    "parse_error": "the line is not a JSON object (or not UTF-8)",
    "too_large": f"the line is longer than {MAX_REQUEST_BYTES} bytes",
    "invalid_request": "the object is not a request: 'id' or 'op' is missing or of a wrong type",
    "unknown_op": "'op' names no operation",
    "invalid_params": "a field is missing, unknown, of the wrong type or out of range",
    "rejected": "the game refused the request as it stands (an unknown component, a query "
    "that does not parse, a mitigation the target cannot take)",
    "game_over": "the game has ended: only observe, catalog and end are answered",
    "internal": "the game failed while answering; the session goes on (please report it)",
}
"""Every error code an answer can carry, with what it means."""


class ProtocolError(Exception):
    """A request that gets an error answer (the session goes on)."""

    def __init__(self, code: str, message: str) -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message


class AgentSession:
    """A game played by requests. The page comes with the first request."""

    def __init__(
        self, scenario: Scenario, seed: int | None = None, *, score_at_end: bool = True
    ) -> None:
        self._view = PlayerView(scenario, seed)
        self._score_at_end = score_at_end
        """False: the request that ends the game answers without the score and the debrief
        (a classroom round holds them back until the reveal anyway); a later ``end`` works
        them out."""
        self._started = False
        self._final: dict[str, Any] | None = None

    # ---------------------------------------------------------------- entry points
    def handle_line(self, line: str | bytes) -> str | None:
        """Answer one line of the protocol (None for a blank line: nothing to answer)."""
        raw = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            return None
        if len(raw) > MAX_REQUEST_BYTES:
            return dumps(
                _error(
                    None,
                    "too_large",
                    f"a request line holds at most "
                    f"{MAX_REQUEST_BYTES} bytes; this one has {len(raw)}",
                )
            )
        try:
            text = raw.decode("utf-8")
            request = json.loads(text)
        except UnicodeDecodeError as exc:
            return dumps(_error(None, "parse_error", f"the line is not UTF-8 (byte {exc.start})"))
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            return dumps(_error(None, "parse_error", f"not JSON{where}: {why}"))
        return dumps(self.handle(request))

    def handle(self, request: Any) -> dict[str, Any]:
        """Answer one request (already parsed from JSON)."""
        if not isinstance(request, dict):
            return _error(
                None, "parse_error", 'a request is a JSON object such as {"id": 1, "op": "observe"}'
            )
        rid = request.get("id")
        if "id" in request and not _is_id(rid):
            return _error(None, "invalid_request", "'id' must be a string, a whole number or null")
        op = request.get("op")
        if not isinstance(op, str):
            return _error(rid, "invalid_request", "a request needs 'op', one of: " + ", ".join(OPS))
        try:
            result = self._answer(op, {k: v for k, v in request.items() if k not in ("id", "op")})
        except ProtocolError as exc:
            return _error(rid, exc.code, exc.message)
        except Exception as exc:  # the session goes on whatever happened
            return _error(rid, "internal", f"{op} failed: {type(exc).__name__}: {exc}")
        return {"id": rid, "result": result}

    # ---------------------------------------------------------------- the game
    @property
    def ended(self) -> bool:
        """Whether the game is over (the answer to ``end`` then holds the score)."""
        return self._started and self._view.ended

    def inject(self, event: dict[str, Any]) -> dict[str, Any]:
        """Add a game master's event (:mod:`chaosgame.game.injections`) at the game's clock,
        starting the game first if it has not started. Not a protocol op: only the server a
        classroom round runs on calls it, for the host."""
        self._start()
        self._final = None
        return self._view.inject(event)

    def provisional_score(self) -> float | None:
        """The total the game would score if it ended now (None before it starts and once it
        has ended). Not a protocol op, since it would tell a player whether their diagnosis is
        right: the server of a classroom round calls it for the host's leaderboard."""
        if not self._started:
            return None
        return self._view._score_if_ended_now()

    def _start(self) -> None:
        if not self._started:
            self._view.start()
            self._started = True

    def _answer(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        if op not in OPS:
            import difflib

            close = difflib.get_close_matches(op, list(OPS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ProtocolError("unknown_op", f"unknown op {op!r}{hint}; ops: {', '.join(OPS)}")
        if op in ACTION_OPS and op != "end" and self.ended:
            raise ProtocolError(
                "game_over",
                f"the game has ended ({self._view.end_reason}): {op} is not taken; "
                "send end for the score",
            )
        allowed = OPS[op]
        if op != "mitigate":
            extra = sorted(k for k in params if k not in allowed)
            if extra:
                takes = f"takes {', '.join(allowed)}" if allowed else "takes no fields"
                raise ProtocolError("invalid_params", f"{op} {takes}; unknown field {extra[0]!r}")
        if op == "catalog":
            return catalog()
        self._start()
        if op == "observe":
            return {"briefing": self._view.briefing(), "observation": self._view.observe()}
        if op == "end" and self._view.ended:
            return self._finished()
        action = {"type": op, **params}
        out = self._view.act(action)
        if not out["ok"]:
            if out.get("internal"):
                raise ProtocolError("internal", str(out["error"]))
            try:  # a malformed request, or one the game refused as it stands?
                parse_action(action)
            except (ValidationError, ValueError) as exc:
                raise ProtocolError("invalid_params", _explain(exc)) from None
            raise ProtocolError("rejected", str(out["error"]))
        if op == "end" or self._view.ended:
            answer = self._finished() if self._score_at_end else self._over()
            if op != "end":
                answer = {"answer": out["result"], "cost_s": out["cost_s"], **answer}
            return answer
        return {"answer": out["result"], "cost_s": out["cost_s"], "observation": out["observation"]}

    def _over(self) -> dict[str, Any]:
        """The answer ending the game without its score and debrief (``score_at_end`` off)."""
        return {
            "ended": True,
            "end_reason": self._view.end_reason,
            "observation": self._view.observe(),
        }

    def _finished(self) -> dict[str, Any]:
        """The answer once the game is over: the score with its parts and the debrief."""
        if self._final is None:
            debrief = self._view.debrief()
            self._final = {
                "ended": True,
                "end_reason": self._view.end_reason,
                "score": self._view.score(),
                "debrief": debrief,
                "observation": self._view.observe(),
            }
        return self._final


def catalog() -> dict[str, Any]:
    """What a program may ask: ops, query views and metrics, mitigations, fault kinds."""
    from chaosgame.game.menu import mitigation_params
    from chaosgame.game.views import METRICS
    from chaosgame.scenario.actions import MITIGATIONS
    from chaosgame.scenario.faults import FAULT_KINDS

    return {
        "protocol": PROTOCOL_VERSION,
        "ops": {op: list(fields) for op, fields in OPS.items()},
        "views": list(VIEWS),
        "metrics": list(METRICS),
        "mitigations": {
            name: {
                "summary": m.summary,
                "delay_s": m.delay_s,
                "targets": list(m.targets),
                "fields": [
                    {
                        "name": p.name,
                        "type": p.kind,
                        "required": p.required,
                        "default": p.default,
                        **({"choices": list(p.choices)} if p.choices else {}),
                        **({"min": p.low} if p.low is not None else {}),
                        **({"max": p.high} if p.high is not None else {}),
                        "help": p.help,
                    }
                    for p in mitigation_params(name)
                ],
            }
            for name, m in MITIGATIONS.items()
        },
        "fault_kinds": sorted(FAULT_KINDS),
        "declare_also": ["external-dependency"],
        "errors": dict(ERROR_CODES),
    }


# -------------------------------------------------------------------- helpers


def _is_id(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and not isinstance(value, bool)


def _error(rid: Any, code: str, message: str) -> dict[str, Any]:
    return {"id": rid, "error": {"code": code, "message": message}}


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err["loc"] if p not in ("type",))
            parts.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
        return "; ".join(parts)
    return str(exc)


def _plain(value: Any) -> Any:
    """JSON for what ``json`` does not know (numpy scalars and arrays, tuples, sets)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _finite(value: Any) -> Any:
    """``value`` with every non-finite number replaced by None (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(answer: Mapping[str, Any]) -> str:
    """One answer as one line of strict JSON (no NaN; the same answer, the same bytes)."""
    try:
        return json.dumps(answer, separators=(",", ":"), allow_nan=False, default=_plain)
    except ValueError:
        plain = json.loads(json.dumps(answer, default=_plain))
        return json.dumps(_finite(plain), separators=(",", ":"), allow_nan=False)


# -------------------------------------------------------------------- the JSON Schema

_DURATION = {
    "description": "seconds, or a duration such as '90s', '5m', '1h30m'",
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": "^[0-9hms. ]+$"}],
}
_ID = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
_PARAM_TYPES = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "yes/no": {"type": "boolean"},
    "choice": {"type": "string"},
    "name": {"type": "string"},
}


def _request(op: str, props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"id": _ID, "op": {"const": op}, **props},
        "required": ["op", *required],
        "additionalProperties": False,
    }


def _hypothesis() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "component": {"type": ["string", "null"]},
            "kind": {"$ref": "#/$defs/kind"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["kind"],
        "additionalProperties": False,
    }


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema of requests and answers (``docs/agent-protocol.schema.json``)."""
    from chaosgame.game.menu import mitigation_params
    from chaosgame.scenario.actions import MITIGATIONS
    from chaosgame.scenario.faults import FAULT_KINDS

    mitigations = []
    for name in MITIGATIONS:
        props: dict[str, Any] = {"action": {"const": name}, "target": {"type": "string"}}
        required = ["action", "target"]
        for p in mitigation_params(name):
            prop: dict[str, Any] = dict(_PARAM_TYPES.get(p.kind, {}))
            if p.choices:
                prop["enum"] = list(p.choices)
            if p.low is not None:
                prop["exclusiveMinimum" if p.low_open else "minimum"] = p.low
            if p.high is not None:
                prop["exclusiveMaximum" if p.high_open else "maximum"] = p.high
            props[p.name] = prop
            if p.required:
                required.append(p.name)
        mitigations.append(_request("mitigate", props, tuple(required)))
    hypo = _hypothesis()
    requests = [
        _request("observe", {}),
        _request("catalog", {}),
        _request(
            "query",
            {
                "q": {"type": "string", "description": "a query in the query language"},
                "view": {"enum": list(VIEWS)},
                "component": {"type": "string"},
                "metric": {"type": "string"},
                "window": _DURATION,
            },
        ),
        *mitigations,
        _request(
            "wait",
            {"seconds": _DURATION, "until": {"const": "next"}},
        ),
        _request(
            "declare",
            {
                **hypo["properties"],
                "alternatives": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/hypothesis"},
                    "maxItems": 2,
                },
            },
            ("kind",),
        ),
        _request("end", {}),
    ]
    result = {
        "type": "object",
        "description": "observe: briefing and observation; catalog: what may be asked; "
        "query, mitigate, wait, declare: answer, cost_s and observation; end (or an action "
        "that ran out the clock): ended, end_reason, score, debrief and observation",
    }
    answers = [
        {
            "type": "object",
            "properties": {"id": _ID, "result": result},
            "required": ["id", "result"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "id": _ID,
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"enum": list(ERROR_CODES)},
                        "message": {"type": "string"},
                    },
                    "required": ["code", "message"],
                    "additionalProperties": False,
                },
            },
            "required": ["id", "error"],
            "additionalProperties": False,
        },
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "chaosgame agent protocol",
        "description": "One JSON object per line: requests on stdin, answers on stdout "
        f"(protocol version {PROTOCOL_VERSION}; docs/agent-protocol.md).",
        "$defs": {
            "request": {"oneOf": requests},
            "hypothesis": hypo,
            "kind": {"enum": [*sorted(FAULT_KINDS), "external-dependency"]},
            "answer": {"oneOf": answers},
            "end_result": {
                "type": "object",
                "properties": {
                    "ended": {"const": True},
                    "end_reason": {"type": "string"},
                    "score": {
                        "type": "object",
                        "properties": {
                            "total": {"type": "number", "minimum": 0, "maximum": 100},
                            "grade": {"type": "string"},
                            "parts": {"type": "array", "items": {"type": "object"}},
                        },
                        "required": ["total", "grade", "parts"],
                    },
                    "debrief": {"type": "object"},
                    "observation": {"type": "object"},
                },
                "required": ["ended", "end_reason", "score", "debrief", "observation"],
            },
        },
        "oneOf": [{"$ref": "#/$defs/request"}, {"$ref": "#/$defs/answer"}],
    }
