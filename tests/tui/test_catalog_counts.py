"""One count of fault kinds everywhere: the catalogue's entries, ``no-fault`` included;
``external-dependency`` is an answer a declaration may give, never counted as a fault kind.

The command (its table and its JSON), docs/faults.md, every "N fault kinds" in the README and
the docs, and the declare dialog of the terminal UI all say the same number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from chaosgame.cli import main
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.dialogs import DeclareDialog
from tests.tui.conftest import press, run_async, settle

ROOT = Path(__file__).resolve().parents[2]
COUNT = len(FAULT_KINDS)
SAID = re.compile(r"(\d+)\s+(?:fault\s+kinds|kinds\s+of\s+fault)", re.IGNORECASE)


def test_the_rule() -> None:
    assert "no-fault" in FAULT_KINDS
    assert "external-dependency" not in FAULT_KINDS


def test_the_command_counts_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    table = capsys.readouterr().out
    assert table.startswith(f"FAULT KINDS ({COUNT})\n")
    assert "no-fault is one of them" in table
    assert main(["catalog", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["faults"]) == COUNT


def test_every_page_that_counts_fault_kinds_says_the_same() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    counts = {
        f"{page.name}: {m.group(0)!r}": int(m.group(1))
        for page in pages
        for m in SAID.finditer(page.read_text(encoding="utf-8"))
    }
    assert any(name.startswith("faults.md") for name in counts)
    assert {name: n for name, n in counts.items() if n != COUNT} == {}


@run_async
async def test_the_declare_dialog_counts_the_same(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory("checkout-payment-step-failing", start="console")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "d", "tab")  # to the fault kind: the list offers them all
        assert isinstance(app.screen, DeclareDialog)
        title = str(app.screen.query_one("#choices-title", Static).render())
        assert re.search(rf"\(\d+ of {COUNT}\)$", title), title
        await press(pilot, *"dependency")
        title = str(app.screen.query_one("#choices-title", Static).render())
        # offered, and not counted as a fault kind
        assert re.search(rf"\(\d+ of {COUNT}\) \+ external-dependency$", title), title
