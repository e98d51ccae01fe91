"""``chaosgame new``: a commented starting scenario that validates and passes check."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.proof.checker import check_path
from chaosgame.scenario.loader import validate_file


def test_new_writes_a_scenario_that_validates_and_passes_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "cache-stampede", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "cache-stampede.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "scenario.schema.json" in text.splitlines()[0]
    assert text.count("\n#") >= 5  # it is commented
    assert validate_file(path) == []
    report = check_path(str(path))
    assert report.ok, report.text()
    assert report.scenario == "cache-stampede"
    assert "chaosgame check" in capsys.readouterr().out


def test_new_refuses_to_overwrite_and_bad_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "x", "--dir", str(tmp_path)]) == 0
    assert main(["new", "x", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "Bad Name", "--dir", str(tmp_path)]) == 1
    assert "cannot be a scenario id" in capsys.readouterr().err
