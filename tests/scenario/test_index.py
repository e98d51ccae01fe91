"""The library index: each file's header, read without validating the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
