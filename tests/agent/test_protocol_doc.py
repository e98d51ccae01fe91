"""docs/agent-protocol.md stays true: its schema file is the one the code prints, its example
transcript replays to the same bytes, and every request and answer fits the schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from chaosgame.agent.jsonl import schema_text
from chaosgame.game.agent_session import AgentSession, protocol_schema
from chaosgame.scenario.library import load

DOCS = Path(__file__).parents[2] / "docs"
REQUESTS = DOCS / "examples" / "agent-requests.jsonl"
ANSWERS = DOCS / "examples" / "agent-answers.jsonl"


@pytest.fixture(scope="module")
def answers() -> list[str]:
    session = AgentSession(load("checkout-payment-step-failing"))
    lines = REQUESTS.read_text(encoding="utf-8").splitlines()
    return [out for out in (session.handle_line(line) for line in lines) if out is not None]


def _validator(ref: str) -> jsonschema.Draft202012Validator:
    schema = protocol_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    schema.pop("oneOf")
    return jsonschema.Draft202012Validator({**schema, "$ref": f"#/$defs/{ref}"})


def test_the_schema_file_is_what_the_code_prints() -> None:
    assert (DOCS / "agent-protocol.schema.json").read_text(encoding="utf-8") == schema_text()


def test_the_example_transcript_replays_to_the_same_bytes(answers: list[str]) -> None:
    assert "\n".join(answers) + "\n" == ANSWERS.read_text(encoding="utf-8")


def test_the_doc_shows_the_transcript_as_it_is(answers: list[str]) -> None:
    doc = (DOCS / "agent-protocol.md").read_text(encoding="utf-8")
    shown = [line for line in doc.splitlines() if line.startswith(("> ", "< "))]
    requests = [line[2:] for line in shown if line.startswith("> ")]
    starts = [line[2:].rstrip("…") for line in shown if line.startswith("< ")]
    assert requests == REQUESTS.read_text(encoding="utf-8").splitlines()
    assert len(starts) == len(answers)
    for start, answer in zip(starts, answers, strict=True):
        assert answer.startswith(start), (start, answer[: len(start)])
    final = json.loads(answers[-1])["result"]["score"]
    assert f"It scored {final['total']} ({final['grade']})" in doc


def test_every_request_and_answer_fits_the_schema(answers: list[str]) -> None:
    requests = _validator("request")
    answer_schema = _validator("answer")
    end = _validator("end_result")
    for line in REQUESTS.read_text(encoding="utf-8").splitlines():
        request = json.loads(line)
        if (
            request["op"] in ("rollback",)
            or request.get("action") == "disable-retries"
            and ("to" not in request)
        ):
            assert not requests.is_valid(request), request  # the transcript's mistakes
        else:
            requests.validate(request)
    for line in answers:
        answer = json.loads(line)
        answer_schema.validate(answer)
    end.validate(json.loads(answers[-1])["result"])


@pytest.mark.parametrize(
    "request_",
    [
        {"op": "query", "view": "chart"},
        {"op": "wait", "seconds": "soon"},
        {"op": "mitigate", "action": "scale", "target": "web"},
        {"op": "mitigate", "action": "scale", "target": "web", "replicas": "6"},
        {"op": "declare", "kind": "gremlins"},
        {"op": "observe", "extra": 1},
        {"id": [1], "op": "observe"},
    ],
)
def test_the_schema_refuses_what_the_game_refuses(request_: dict[str, object]) -> None:
    assert not _validator("request").is_valid(request_)
    session = AgentSession(load("checkout-payment-step-failing"))
    assert "error" in session.handle(request_)
