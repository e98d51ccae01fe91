"""Renamed curated scenarios keep their earlier ids (``aliases:``), and ``validate`` refuses an
alias that would lead to two scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.scenario import library
from chaosgame.scenario.loader import validate_report
from tests.scenario.new_scenario import line_of, write


def _renamed() -> tuple[str, str, Path]:
    """The built-in scenario's earlier id, its id now and its file."""
    path = library.find(library.BUILTIN)
    sc = library.load(library.BUILTIN)
    assert sc.aliases, "the built-in scenario was renamed and keeps its earlier id"
    return sc.aliases[0], sc.id, path


def test_an_earlier_id_finds_and_loads_the_renamed_scenario() -> None:
    old, new, path = _renamed()
    assert library.find(old) == path
    assert library.load(old).id == new
    assert library.current_id(old) == new
    assert library.current_id(new) == new
    assert library.current_id("never-a-scenario") == "never-a-scenario"
    assert library.renamed_to(new) is None


def test_a_typo_of_an_earlier_id_suggests_the_id_now() -> None:
    old, new, _ = _renamed()
    with pytest.raises(FileNotFoundError, match=f"did you mean '{new}'"):
        library.find(old[:-1] + "x")


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("new", "is the id of another scenario"),
        ("old", "is also an alias of"),
        ("self", "repeats the scenario's id"),
    ],
)
def test_validate_rejects_an_alias_that_leads_elsewhere(
    tmp_path: Path, which: str, message: str
) -> None:
    old, new, _ = _renamed()
    alias = {"new": new, "old": old, "self": "shop-orders-fail"}[which]
    path = write(tmp_path, "shop-orders-fail", aliases=[alias])
    problems, _ = validate_report(path)
    assert len(problems) == 1, problems
    assert message in problems[0].message
    assert alias in problems[0].message
    assert (problems[0].path, problems[0].line) == (str(path), line_of(path, "aliases:"))


def test_validate_rejects_an_id_that_another_scenario_keeps_as_an_alias(tmp_path: Path) -> None:
    old, new, _ = _renamed()
    path = write(tmp_path, old, aliases=[])
    problems, _ = validate_report(path)
    assert [p.line for p in problems] == [line_of(path, "id:")]
    assert f"an earlier id of '{new}'" in problems[0].message


def test_a_listed_twice_alias_is_refused_and_good_aliases_pass(tmp_path: Path) -> None:
    twice = write(tmp_path, "shop-orders-fail", aliases=["shop-a", "shop-a"])
    assert ["listed twice" in p.message for p in validate_report(twice)[0]] == [True]
    good = write(tmp_path, "shop-orders-slow", aliases=["shop-a", "shop-b"])
    assert validate_report(good) == ([], [])


def test_a_copy_of_a_curated_scenario_keeps_its_aliases(tmp_path: Path) -> None:
    _, new, path = _renamed()
    copy = tmp_path / f"{new}.yaml"
    text = path.read_text(encoding="utf-8").replace("./scenario.schema.json", "x.json")
    copy.write_text(text, encoding="utf-8")
    assert validate_report(copy)[0] == []


def test_every_curated_scenario_is_named_by_its_symptom_and_has_unique_aliases() -> None:
    """No curated scenario names its cause (no ``validate`` warning), and its aliases
    collide with nothing; every file is named after its id."""
    for path in library.scenario_paths():
        problems, warnings = validate_report(path)
        assert problems == [], problems
        assert warnings == [], warnings
    from chaosgame.scenario.index import read_index

    entries = read_index()
    names = [e.id for e in entries] + [a for e in entries for a in e.aliases]
    assert len(names) == len(set(names))
    assert all(e.path is not None and e.path.stem == e.id for e in entries)


def test_a_header_cached_before_aliases_existed_is_read_again(tmp_path: Path) -> None:
    import json

    from chaosgame.scenario.index import read_index

    _, _, path = _renamed()
    cache = tmp_path / "index.json"
    fresh = read_index([path], cache=cache)
    assert fresh[0].aliases
    data = json.loads(cache.read_text())
    for hit in data["files"].values():
        del hit["entry"]["aliases"]
    cache.write_text(json.dumps(data))
    assert read_index([path], cache=cache) == fresh
