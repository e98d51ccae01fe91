"""The core never imports Textual (or Rich): only chaosgame.tui may, and the Textual apps
of other frontends (the instructor console)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import chaosgame

TEXTUAL_APPS = (
    "chaosgame.classroom.host_app",
    "chaosgame.classroom.interview_app",
    "chaosgame.classroom.web_console",
)
"""Textual apps outside chaosgame.tui; nothing else may import them at the top."""

CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(chaosgame.__path__, "chaosgame.")
    if not m.name.startswith("chaosgame.tui")
    and m.name != "chaosgame.__main__"
    and m.name not in TEXTUAL_APPS
)


def test_core_modules_are_found() -> None:
    assert "chaosgame.engine.sim" in CORE
    assert "chaosgame.game.session" in CORE


def test_core_never_imports_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
