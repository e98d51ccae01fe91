"""``chaosgame agent`` as another program meets it: a pipe, one answer per request line,
nothing else on stdout, the same bytes for the same transcript, whole incidents played by
clients written outside this package (a Python subprocess client, a shell script)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
STORM = "checkout-payment-step-failing"
CMD = [sys.executable, "-m", "chaosgame", "agent"]

TRANSCRIPT = "\n".join(
    [
        '{"id": 1, "op": "observe"}',
        "this is not json",
        '{"id": 2, "op": "query", "view": "map"}',
        '{"id": 3, "op": "query", "q": "changes"}',
        '{"id": 4, "op": "mitigate", "action": "rollback", "target": "payments"}',
        '{"id": 5, "op": "frobnicate"}',
        "",
        '{"id": 6, "op": "wait", "until": "next"}',
        '{"id": 7, "op": "declare", "component": "payments", "kind": "bad-deploy"}',
        '{"id": 8, "op": "end"}',
        '{"id": 9, "op": "wait", "seconds": 10}',
    ]
)


def _env(hashseed: str = "0") -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, PYTHONPATH=str(ROOT))
    env.pop("CHAOSGAME_HOME", None)
    return env


def _run(args: list[str], stdin: str, hashseed: str = "0") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CMD, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(hashseed),
        cwd=ROOT,
    )


def _client(program: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a client program that starts ``chaosgame agent`` (its arguments) itself."""
    done = subprocess.run(
        [*program, *CMD, STORM], capture_output=True, text=True, timeout=300, env=_env(), cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done


def test_one_answer_per_request_and_nothing_else_on_stdout() -> None:
    done = _run([STORM], TRANSCRIPT + "\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    answers = [json.loads(line) for line in lines]
    requests = [r for r in TRANSCRIPT.splitlines() if r.strip()]
    assert len(answers) == len(requests)
    assert [a["id"] for a in answers] == [1, None, 2, 3, 4, 5, 6, 7, 8, 9]
    codes = [a["error"]["code"] for a in answers if "error" in a]
    assert codes == ["parse_error", "unknown_op", "game_over"]
    assert "score" in answers[-2]["result"]


def test_the_same_transcript_gives_byte_identical_output_in_another_process() -> None:
    first = _run([STORM], TRANSCRIPT, hashseed="1")
    second = _run([STORM], TRANSCRIPT, hashseed="2")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout.endswith("\n")


def test_a_generated_incident_by_seed_code() -> None:
    done = _run(["--seed", "NRYE-SRDW"], '{"id": "a", "op": "observe"}\n')
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["id"] == "a"
    assert "NRYE-SRDW" not in answer["result"]["briefing"]["title"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "needs a scenario"),
        (["no-such-scenario"], "no-such-scenario"),
        (["--seed", "ZZZZ-ZZZZ"], "ZZZZ-ZZZZ"),
        ([STORM, "--difficulty", "hard"], "drop the scenario"),
    ],
)
def test_bad_arguments_get_one_line_on_stderr_and_nothing_on_stdout(
    args: list[str], says: str
) -> None:
    done = _run(args, '{"id": 1, "op": "observe"}\n')
    assert done.returncode == 2
    assert done.stdout == ""
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_an_over_long_line_is_refused_and_the_session_goes_on() -> None:
    long = '{"id": 1, "op": "query", "q": "' + "x" * 200_000 + '"}'
    done = _run([STORM], long + '\n{"id": 2, "op": "catalog"}\n')
    first, second = (json.loads(x) for x in done.stdout.splitlines())
    assert first["error"]["code"] == "too_large"
    assert second["id"] == 2
    assert "result" in second


CLIENT = textwrap.dedent(
    """
    # A responder written against the protocol only: it reads the answers, picks the failing
    # component the deepest down the map, rolls back its newest deploy, waits, verifies,
    # declares and ends. It knows nothing of chaosgame but the protocol.
    import json, subprocess, sys

    agent = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    count = 0

    def ask(**request):
        global count
        count += 1
        agent.stdin.write(json.dumps({"id": count, **request}) + "\\n")
        agent.stdin.flush()
        answer = json.loads(agent.stdout.readline())
        assert answer["id"] == count, answer
        return answer

    ask(op="observe")
    graph = ask(op="query", view="map")["result"]["answer"]
    failing = [c["name"] for c in graph["components"] if c["health"] == "failing"]
    calls = {}
    for e in graph["edges"]:
        calls.setdefault(e["from"], []).append(e["to"])
    deepest = [c for c in failing if not any(d in failing for d in calls.get(c, []))]
    suspect = deepest[0] if deepest else failing[0]
    changes = ask(op="query", view="deploys", component=suspect, window="6h")["result"]["answer"]
    deploys = [e for e in changes["events"] if e["kind"] == "deploy"]
    kind = "latency-regression"
    if deploys:
        ask(op="mitigate", action="rollback", target=suspect)
        ask(op="wait", until="next")
        kind = "bad-deploy"
    slo = ask(op="query", view="slo")["result"]["answer"]
    ask(op="declare", component=suspect, kind=kind, confidence=0.7)
    final = ask(op="end")["result"]
    agent.stdin.close()
    agent.wait()
    print(json.dumps({"suspect": suspect, "total": final["score"]["total"], "rc": agent.returncode}))
    """
)


def test_a_client_in_another_process_plays_a_whole_incident(tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(CLIENT, encoding="utf-8")
    done = _client([sys.executable, str(script)])
    out: dict[str, Any] = json.loads(done.stdout)
    assert out["suspect"] == "payments"
    assert out["rc"] == 0
    assert out["total"] > 50


SHELL = textwrap.dedent(
    """
    set -eu
    coproc AGENT { "$@"; }
    ask() { printf '%s\\n' "$1" >&"${AGENT[1]}"; IFS= read -r answer <&"${AGENT[0]}"; }
    ask '{"id": 1, "op": "observe"}'
    ask '{"id": 2, "op": "wait", "seconds": 60}'
    ask '{"id": 3, "op": "declare", "component": null, "kind": "no-fault", "confidence": 0.2}'
    ask '{"id": 4, "op": "end"}'
    printf '%s\\n' "$answer"
    """
)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_shell_script_plays_a_whole_incident(tmp_path: Path) -> None:
    script = tmp_path / "client.sh"
    script.write_text(SHELL, encoding="utf-8")
    done = _client(["bash", str(script)])
    final = json.loads(done.stdout)
    assert final["id"] == 4
    assert final["result"]["ended"]
    assert final["result"]["score"]["total"] < 50  # doing nothing and guessing scores poorly
