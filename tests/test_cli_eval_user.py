"""``chaosgame eval`` with a user's policy: ``MODULE:CALLABLE`` playing on the env."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.game.env import IncidentEnv
from chaosgame.scenario.library import load

SCENARIO = "search-cpu-high-at-night"

POLICIES = """
def expert(env):
    obs, info = env.reset()
    print("looking")  # a policy's own output must not reach the table
    env.step({"op": "observe"})
    env.step({"op": "no-such-op"})
    env.step({"op": "declare", "component": None, "kind": "no-fault", "confidence": 0.9})
    env.step({"op": "end"})


def crash(env):
    env.reset()
    env.step({"op": "wait", "seconds": 60})
    raise ValueError("lost my way")


def idle(env):
    pass


NOT_CALLABLE = 3
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    path = tmp_path / "my_policies.py"
    path.write_text(POLICIES)
    return path


def test_a_user_policy_plays_on_the_env_and_is_scored(
    module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "out.json"
    specs = [f"{module}:{name}" for name in ("expert", "crash", "idle")]
    argv = ["eval", "--policy", ",".join(specs), "--scenarios", SCENARIO, "--no-record"]
    assert main([*argv, "--json", str(doc), "-q"]) == 0
    out, err = capsys.readouterr()
    assert "looking" not in out
    assert "looking" in err
    assert f"{specs[1]} failed on {SCENARIO}: ValueError: lost my way" in err
    expert, crash, idle = json.loads(doc.read_text())["episodes"]
    # the same game played on the env by hand scores the same
    env = IncidentEnv(load(SCENARIO))
    env.reset()
    env.step({"op": "observe"})
    env.step({"op": "declare", "component": None, "kind": "no-fault", "confidence": 0.9})
    *_, info = env.step({"op": "end"})
    assert expert["score"] == info["score"]
    assert (expert["diagnosed"], expert["refused"], expert["error"]) == (True, 1, None)
    # a failure ends the game where it stood; returning early too
    assert crash["error"] == "ValueError: lost my way"
    assert crash["total"] == idle["total"] == 0.0
    assert idle["error"] is None


def test_an_importable_module_is_a_policy(
    module: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(module.parent))
    monkeypatch.delitem(sys.modules, "my_policies", raising=False)
    argv = ["eval", "--policy", "my_policies:expert", "--scenarios", SCENARIO, "--no-record"]
    assert main([*argv, "-q"]) == 0
    assert "my_policies:expert" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_here:play", "cannot import 'no_such_module_here': ModuleNotFoundError"),
        ("{module}:missing", "has no 'missing'"),
        ("{module}:NOT_CALLABLE", "is not callable"),
        ("{broken}:play", "cannot import '{broken}': ZeroDivisionError: division by zero"),
        ("/nowhere/policy.py:play", "no file '/nowhere/policy.py'"),
    ],
)
def test_a_policy_that_cannot_be_used_is_one_line_and_status_2(
    spec: str, message: str, module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken_policy.py"
    broken.write_text("x = 1 / 0\n")
    spec = spec.format(module=module, broken=broken)
    argv = ["eval", "--policy", spec, "--scenarios", SCENARIO, "--no-record"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert message.format(broken=broken) in err
