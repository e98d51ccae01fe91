"""The text console: action results read as sentences with clock times, never as Python
data; a resumed game says so and how many actions it replayed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from chaosgame.console import run_console
from chaosgame.game.records import RunRecord, RunStore
from chaosgame.game.session import Session
from chaosgame.scenario.library import load

CLOCK = r"\d\d:\d\d:\d\d"
REPR = re.compile(
    r"""\{'|\['|'\w+': |\bNone\b|\b(True|False)\b|<\w[\w.]* object at|\w+\(\w+=""",
)
"""What Python data printed as it is looks like: a dict or list of strings, None, booleans,
an object or a dataclass repr."""

SCRIPT = [
    "map",
    "metric payments errors 15m",
    "changes",
    "events checkout",
    "slo",
    "alerts",
    "pods payments",
    "profile payments",
    "do rollback payments",
    "do disable-retries checkout to=payments",
    "wait 2m",
    'q sum by (code) (rate(http_requests_total{service="payments"}[5m]))',
    'logs {service="checkout"} |= "timeout" --limit=3',
    "traces service=payments status=error --limit=3",
    "declare payments bad-deploy 0.8",
    "declare - no-fault 0.1",
    "metrics",
    "actions",
    "help",
    "end",
]


def _play(
    script: list[str], store: RunStore | None = None, resume: RunRecord | None = None
) -> list[str]:
    out = io.StringIO()
    script_in = io.StringIO("\n".join(script) + "\n")
    assert run_console(load(), None, script_in, out, store=store, resume=resume) == 0
    return out.getvalue().splitlines()


def test_no_line_of_a_scripted_game_is_python_data() -> None:
    lines = _play(SCRIPT)
    assert "=== Debrief ===" in lines
    shown = [ln for ln in lines if not ln.startswith("> ")]  # the echoed commands aside
    reprs = [ln for ln in shown if REPR.search(ln)]
    assert not reprs, reprs


def test_actions_are_sentences_with_clock_times() -> None:
    lines = _play(SCRIPT)
    said = {ln for ln in lines if re.match(CLOCK + " ", ln)}
    assert any(
        re.fullmatch(f"{CLOCK} rollback payments asked; takes effect at {CLOCK}", ln) for ln in said
    )
    assert any(
        re.fullmatch(
            f"{CLOCK} disable-retries checkout to=payments asked; takes effect at {CLOCK}", ln
        )
        for ln in said
    )
    assert any(re.fullmatch(f"{CLOCK} waited 2m; now {CLOCK}", ln) for ln in said)
    assert any(
        re.fullmatch(f"{CLOCK} declared bad-deploy in payments \\(confidence 0.8\\)", ln)
        for ln in said
    )
    assert any(re.fullmatch(f"{CLOCK} declared no-fault \\(confidence 0.1\\)", ln) for ln in said)
    assert any(re.fullmatch(f"{CLOCK} you ended the incident", ln) for ln in said)
    asked = next(ln for ln in lines if "rollback payments asked" in ln)
    before = lines[lines.index(asked) - 2]  # the status line before the command
    assert before.startswith(f"[{asked[:8]}]")  # asked at the clock the player saw


def test_a_resumed_game_says_so_and_how_many_actions_it_replayed(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    crashed = Session(load())
    crashed.reset()
    rid = store.attach(crashed)
    for act in ({"type": "query", "view": "map"}, {"type": "wait", "seconds": 60}):
        assert crashed.step(act)["ok"]
    clock = crashed.clock()
    lines = _play(["end"], store=store, resume=store.get(rid))
    assert f"Resumed run {rid}: 2 actions replayed, the clock is at {clock}." in lines
    fresh = _play(["end"])
    assert not any(ln.startswith("Resumed") for ln in fresh)


def test_a_mitigation_missing_a_parameter_is_told_in_a_sentence() -> None:
    lines = _play(["do disable-retries payments", "end"])
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert errors
    assert "disable-retries needs 'to'" in errors[0], errors
    assert not any("Field required" in ln for ln in lines)


def test_profile_prints_the_frames_of_a_component() -> None:
    lines = _play(["profile payments", "end"])
    head = next(i for i, ln in enumerate(lines) if ln.startswith("CPU profile of payments"))
    frames = lines[head + 1 : head + 3]
    assert all(re.match(r"\s*\d+\.\d%", ln) for ln in frames), frames
    assert "payments (main);serve;handle /api/checkout" in frames[0]
