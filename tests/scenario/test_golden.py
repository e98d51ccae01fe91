"""A golden corpus of broken scenario files, each with the messages and positions expected.

``golden/NAME.yaml`` is broken in one way (or several, all reported at once);
``golden/NAME.expected`` lists one problem a line as ``[FILE:]LINE:COL: MESSAGE``, where FILE
is given when the problem lies in another file (a topology it extends) and MESSAGE is the
start of the message (lists of known names after it may grow as the catalogue does).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.scenario.loader import ScenarioError, load_scenario

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.yaml"))


def test_the_corpus_covers_at_least_fifteen_mistakes() -> None:
    assert len(CASES) >= 15
    for case in CASES:
        assert case.with_suffix(".expected").exists(), f"{case.name} has no .expected file"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_file(case: Path) -> None:
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ScenarioError) as info:
        load_scenario(case)
    got = []
    for p in info.value.problems:
        where = "" if p.path == str(case) else Path(p.path).relative_to(GOLDEN).as_posix() + ":"
        got.append(f"{where}{p.line}:{p.col}: {p.message}")
    assert len(got) == len(expected), "\n".join(got)
    for line, want in zip(got, expected, strict=True):
        assert line.startswith(want), f"\n got: {line}\nwant: {want}"


def test_validate_prints_path_line_col(capsys: pytest.CaptureFixture[str]) -> None:
    case = GOLDEN / "several-errors-at-once.yaml"
    assert main(["validate", str(case)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4
    assert all(line.startswith(f"{case}:") for line in err)
