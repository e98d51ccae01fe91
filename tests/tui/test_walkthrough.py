"""The first-incident walkthrough in docs/playing.md: every picture it shows exists, and it
shows every picture ``docs/make_screenshots.py`` takes."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def images(page: Path) -> list[tuple[str, Path]]:
    """``(alt text, file)`` of every image a Markdown page shows, files relative to it."""
    text = page.read_text(encoding="utf-8")
    return [(alt, (page.parent / target).resolve()) for alt, target in IMAGE.findall(text)]


def test_the_walkthrough_has_pictures() -> None:
    shown = images(DOCS / "playing.md")
    assert len(shown) >= 8
    assert all(alt.strip() for alt, _ in shown)  # each says what it shows


def missing(page: Path) -> list[str]:
    """What is wrong with the pictures a page shows: files that are not there, or not SVG."""
    problems = []
    for alt, path in images(page):
        if not path.is_file():
            problems.append(f"{page.name} shows {path.name} ({alt}): no such file")
        elif path.suffix == ".svg" and not path.read_text(encoding="utf-8").startswith("<svg"):
            problems.append(f"{page.name} shows {path.name}: not an SVG")
    return problems


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_every_picture_a_page_shows_exists(page: Path) -> None:
    assert missing(page) == []


def test_the_walkthrough_shows_what_the_script_takes() -> None:
    spec = importlib.util.spec_from_file_location("make_screenshots", DOCS / "make_screenshots.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    taken = [DOCS / "img" / name for name in script.image_names()]
    shown = [path for _, path in images(DOCS / "playing.md")]
    assert shown == [path.resolve() for path in taken]  # the same pictures, in the same order


def test_the_classroom_page_shows_what_its_script_takes() -> None:
    path = DOCS / "make_classroom_screenshots.py"
    spec = importlib.util.spec_from_file_location("make_classroom_screenshots", path)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shown = {path for _, path in images(DOCS / "classroom.md")}
    taken = {(DOCS / "img" / name).resolve() for name in script.image_names()}
    assert taken <= shown
    assert (DOCS / "img" / "classroom-browser.png").resolve() in shown  # a real browser's


def test_a_missing_picture_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Look: ![the home screen](img/nowhere.svg)\n", encoding="utf-8")
    ((alt, path),) = images(page)
    assert alt == "the home screen"
    assert not path.is_file()
