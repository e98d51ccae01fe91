"""The chaosgame command: help, version, validate, list, and the text console."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaosgame import __version__
from chaosgame.cli import COMMANDS, main
from chaosgame.console import run_console
from chaosgame.scenario.library import find, load


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name, (_, line) in COMMANDS.items():
        assert name in out
        assert line in out


def test_version_and_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "chaosgame", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"chaosgame {__version__}"


def test_validate_good_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = find("checkout-payment-step-failing")
    assert main(["validate", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("retries: {count: 3", "retires: {count: 3"))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err
    assert "did you mean 'retries'" in err


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"id", "title", "topics", "difficulty", "expected_minutes"} <= set(rows[0])


def test_unknown_scenario_is_a_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "payments-retry-strom"]) == 2
    assert "did you mean 'checkout-payment-step-failing'" in capsys.readouterr().err


def test_console_plays_the_built_in_incident_from_piped_commands() -> None:
    script = "\n".join(
        [
            "map",
            "metric paymnets errors",
            "changes",
            "do rollback payments",
            "do disable-retries checkout to=payments",
            "wait 10m",
            "slo",
            "declare payments bad-deploy 0.8",
            "end",
        ]
    )
    out = io.StringIO()
    assert run_console(load(), None, io.StringIO(script + "\n"), out) == 0
    text = out.getvalue()
    assert "did you mean 'payments'" in text  # a typo is answered, not fatal
    assert "payments-db" in text  # the map was drawn
    assert "v3.2.0" in text  # the change list shows the deploy
    assert "You declared bad-deploy in payments: right." in text
    assert "=== Debrief ===" in text


@pytest.mark.parametrize("command", [["play", "--text"], ["check", "x.yaml"], ["quiz"]])
def test_every_seed_option_refuses_a_seed_over_64_bits(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--seed", str(2**64)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{2**64} is out of range: a seed is a whole number from {-(2**63)}" in err
