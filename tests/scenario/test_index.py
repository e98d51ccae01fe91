"""The library index: each file's header, read without validating the rest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaosgame.scenario.index import header_text, read_entry, read_index
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario


def test_the_index_agrees_with_the_loader_on_every_curated_scenario() -> None:
    for entry in read_index():
        assert entry.path is not None
        assert not entry.problem, entry
        sc = load_scenario(entry.path)
        assert entry.row() == {
            "id": sc.id,
            "title": sc.title,
            "topics": [str(t) for t in sc.topics],
            "difficulty": sc.difficulty,
            "minutes": sc.expected_minutes,
            "seed": sc.seed,
        }
    assert len(read_index()) == len(scenario_paths())


def test_header_blocks_keep_their_line_numbers() -> None:
    text = "id: a\nregions:\n  - name: x\ntitle: >\n  T\n# note\nseed: 3\n"
    head = header_text(text)
    assert head is not None
    assert head.split("\n") == ["id: a", "", "", "title: >", "  T", "# note", "seed: 3", ""]


def test_an_unusual_top_level_reads_the_whole_file(tmp_path: Path) -> None:
    assert header_text("---\nid: a\n") is None
    assert header_text("{id: a, title: b}\n") is None
    path = tmp_path / "flow.yaml"
    path.write_text("id: flow\ntitle: Flow\ntopics: [slo,\nobservability]\nseed: 4\n")
    entry = read_entry(path)
    assert entry.problem == ""
    assert (entry.id, entry.topics, entry.seed) == ("flow", ("slo", "observability"), 4)


def test_broken_headers_are_entries_with_a_placed_problem(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("id: x\ntitle: [unclosed\n")
    entry = read_entry(bad_yaml)
    assert entry.id == "bad"
    assert entry.problem.startswith(f"{bad_yaml}:")
    assert "YAML syntax error" in entry.problem

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("id: w\ntitle: W\nseed: many\n")
    entry = read_entry(wrong)
    assert entry.problem == f"{wrong}:3:7: 'seed' has the wrong type"

    untitled = tmp_path / "untitled.yaml"
    untitled.write_text("id: u\n")
    assert "needs a 'title'" in read_entry(untitled).problem

    missing = read_entry(tmp_path / "missing.yaml")
    assert "cannot read the file" in missing.problem


def test_listing_the_library_does_not_import_the_model() -> None:
    code = (
        "import sys\n"
        "from chaosgame.scenario.index import read_index\n"
        "read_index()\n"
        "print(sorted(m for m in ('pydantic', 'numpy', 'networkx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _copy_library(tmp_path: Path) -> list[Path]:
    out = []
    for p in scenario_paths()[:5]:
        q = tmp_path / p.name
        q.write_text(p.read_text())
        out.append(q)
    return out


def test_the_cache_gives_the_same_entries_and_follows_changes(tmp_path: Path) -> None:
    paths = _copy_library(tmp_path)
    cache = tmp_path / "cache" / "index.json"
    fresh = read_index(paths, cache=None)
    assert read_index(paths, cache=cache) == fresh
    assert cache.exists()
    assert read_index(paths, cache=cache) == fresh  # from the cache now
    edited = paths[0].read_text().replace("title:", "title: Edited", 1)
    paths[0].write_text(edited.replace("title: Edited ", "title: Edited", 1))
    again = read_index(paths, cache=cache)
    assert again[0].title.startswith("Edited")
    assert again[1:] == fresh[1:]
    paths[1].unlink()
    assert "cannot read the file" in read_index(paths, cache=cache)[1].problem


def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    paths = _copy_library(tmp_path)
    cache = tmp_path / "index.json"
    fresh = read_index(paths, cache=None)
    for junk in ("not json", '{"format": 99}', '{"format": 1, "version": "0", "files": {}}', "[]"):
        cache.write_text(junk)
        assert read_index(paths, cache=cache) == fresh
        assert '"format": 1' in cache.read_text()
    cache.write_text(cache.read_text().replace('"seed": ', '"seed": "x'))  # a bad value
    assert read_index(paths, cache=cache) == fresh


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    paths = _copy_library(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert read_index(paths, cache=blocker / "index.json") == read_index(paths, cache=None)


def test_the_cache_place_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaosgame.scenario.index import cache_file

    monkeypatch.setenv("CHAOSGAME_CACHE", str(tmp_path))
    assert cache_file() == tmp_path / "index.json"
    monkeypatch.setenv("CHAOSGAME_CACHE", "off")
    assert cache_file() is None


def test_a_start_with_a_warm_cache_parses_no_yaml(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from chaosgame.scenario.index import read_index\n"
        "read_index()\n"
        "print('yaml' in sys.modules)\n"
    )
    env = {**os.environ, "CHAOSGAME_CACHE": str(tmp_path)}
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert first.stdout.strip() == "True"
    second = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert second.stdout.strip() == "False"
