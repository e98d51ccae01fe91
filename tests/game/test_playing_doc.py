"""``docs/playing.md`` says what the code accepts: every mitigation with its delay, targets and
arguments, and every form of a declaration. A new action or a changed target fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaosgame.game.commands import parse_command
from chaosgame.game.menu import KINDS
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.fleet import is_artefact

DOC = (Path(__file__).resolve().parents[2] / "docs" / "playing.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([a-z][a-z-]*)` \|")


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``\\|`` inside a cell is no separator)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def mitigation_rows() -> dict[str, list[list[str]]]:
    """Rows of the mitigation tables (five columns: action, delay, targets, arguments, what)."""
    rows: dict[str, list[list[str]]] = {}
    for line in DOC.splitlines():
        match = ROW.match(line)
        cells = _cells(line)
        if match and len(cells) == 5:
            rows.setdefault(match.group(1), []).append(cells)
    return rows


ROWS = mitigation_rows()


@pytest.mark.parametrize("action", sorted(MITIGATIONS))
def test_every_mitigation_has_its_row(action: str) -> None:
    info = MITIGATIONS[action]
    found = ROWS.get(action, [])
    assert len(found) == 1, (
        f"docs/playing.md needs one row for the mitigation '{action}' in a Mitigations table: "
        f"| `{action}` | {info.delay_s:g} s | targets | `key=...` | what it does |"
    )
    _, delay, targets, arguments, _what = found[0]
    assert delay.startswith(f"{info.delay_s:g} s"), f"{action}: acts after {info.delay_s:g} s"
    assert ("risky" in delay) is info.risky, f"{action}: risky is {info.risky}"
    for kind in info.targets:
        assert re.search(rf"\b{kind}\b", targets), f"{action}: it targets {kind} ({targets})"
    fields = [n for n in info.model.model_fields if n not in ("action", "target")]
    for name in fields:
        assert f"`{name}=" in arguments, f"{action}: argument {name} is not documented"
    if not fields:
        assert arguments == "none", f"{action} takes no argument"


def test_no_row_names_a_mitigation_the_code_does_not_have() -> None:
    assert sorted(set(ROWS) - set(MITIGATIONS)) == []


def test_every_form_of_a_declaration_is_documented() -> None:
    section = DOC.split("## Declaring the root cause", 1)[1].split("\n## ", 1)[0]
    with pytest.raises(ValueError, match="usage: ") as usage:
        parse_command("declare")
    assert str(usage.value).removeprefix("usage: ") in section
    for nobody in ("-", "none"):
        declared = parse_command(f"declare {nobody} no-fault")
        assert isinstance(declared, dict)
        assert declared["component"] is None
        assert f"`{nobody}`" in section
    beyond = [k for k in KINDS if k not in FAULT_KINDS] + ["no-fault"]
    for kind in beyond:
        assert f"`{kind}`" in section, f"the declarable kind {kind} is not documented"
    assert is_artefact("image:edge-2611")
    assert "`key:value`" in section
    assert "`image:edge-2611`" in section
    assert "`artefacts`" in section
    assert "faults.md" in section  # every fault kind of the catalogue may be declared
    assert "fleet" in section  # a root cause across a fleet: any component it hits
    assert "alternatives" in section
