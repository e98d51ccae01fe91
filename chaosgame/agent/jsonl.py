"""``chaosgame agent``: the game over stdin and stdout, one JSON object per line.

Each line read is a request; each request gets exactly one line of answer, in order, and
nothing else is ever written to stdout (diagnostics go to stderr). The protocol itself is
:mod:`chaosgame.game.agent_session`; ``docs/agent-protocol.md`` documents it.
"""

from __future__ import annotations

import json
import sys
from typing import IO, TYPE_CHECKING

from chaosgame.game.agent_session import MAX_REQUEST_BYTES, AgentSession, dumps, protocol_schema

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

__all__ = ["schema_text", "serve"]


def schema_text() -> str:
    """The protocol's JSON Schema as ``docs/agent-protocol.schema.json`` holds it."""
    return json.dumps(protocol_schema(), indent=2) + "\n"


def serve(scenario: Scenario, seed: int | None, source: IO[bytes], sink: IO[str]) -> int:
    """Answer every request line of ``source`` on ``sink`` until the input ends; 0."""
    session = AgentSession(scenario, seed)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # whatever else might print, stdout carries answers alone
    try:
        while True:
            line = source.readline(MAX_REQUEST_BYTES + 2)
            if not line:
                return 0
            if len(line.rstrip(b"\r\n")) > MAX_REQUEST_BYTES:
                size = len(line)
                while not line.endswith(b"\n"):  # drop the rest of the over-long line
                    line = source.readline(MAX_REQUEST_BYTES)
                    if not line:
                        break
                    size += len(line)
                answer: str | None = dumps(
                    {
                        "id": None,
                        "error": {
                            "code": "too_large",
                            "message": f"a request line holds at most {MAX_REQUEST_BYTES} "
                            f"bytes; this one had {size}",
                        },
                    }
                )
            else:
                answer = session.handle_line(line)
            if answer is not None:
                sink.write(answer + "\n")
                sink.flush()
    finally:
        sys.stdout = real_stdout
