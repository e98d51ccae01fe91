"""User-facing text never comes from docstrings: ``python -OO`` strips them.

Help, the catalogue, the JSON Schema and the authoring reference are data; these tests run
them in a ``python -OO`` interpreter and compare with a normal one.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaosgame.cli import COMMANDS
from chaosgame.scenario import reference
from chaosgame.scenario.meanings import MODELS
from chaosgame.telemetry.query import FORMS

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, optimize: bool, stdin: str = "") -> str:
    flags = ["-OO"] if optimize else []
    env = {**os.environ, "CHAOSGAME_RECORDS": os.devnull, "NO_COLOR": "1"}
    out = subprocess.run(
        [sys.executable, *flags, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return out.stdout


def test_the_interpreter_strips_docstrings_with_OO() -> None:
    code = "import chaosgame.telemetry.query as q; print(q.__doc__)"
    assert _run("-c", code, optimize=True).strip() == "None"


def test_the_help_query_under_OO() -> None:
    console = ["-m", "chaosgame", "play", "--text", "--no-record"]
    stripped = _run(*console, optimize=True, stdin="q help\nend\n")
    assert "internal error" not in stripped
    for form in FORMS:
        assert form in stripped
    assert stripped == _run(*console, optimize=False, stdin="q help\nend\n")


@pytest.mark.parametrize(
    "args",
    [("--help",), ("catalog",), ("catalog", "--json"), ("schema",), ("check", "--help")],
)
def test_commands_print_the_same_under_OO(args: tuple[str, ...]) -> None:
    stripped = _run("-m", "chaosgame", *args, optimize=True)
    assert stripped == _run("-m", "chaosgame", *args, optimize=False)
    if args == ("--help",):
        for name, (_, line) in COMMANDS.items():
            assert name in stripped
            assert line in stripped
    if args == ("catalog",):
        assert "memory-leak" in stripped
    if args == ("schema",):
        assert stripped == (ROOT / "scenarios" / "scenario.schema.json").read_text("utf-8")


def test_the_authoring_reference_under_OO() -> None:
    stripped = _run("-m", "chaosgame.scenario.reference", optimize=True)
    assert stripped == reference.render_reference()
    assert MODELS["Scenario"] in stripped


@pytest.mark.skipif(sys.flags.optimize >= 2, reason="docstrings are stripped")
def test_model_descriptions_match_the_docstrings() -> None:
    """The data the schema and the reference read says what each model's docstring says."""
    for model in reference._models():
        doc = inspect.cleandoc(model.__doc__ or "")
        assert MODELS.get(model.__name__, "") == doc, model.__name__
