"""Hostile scenario files get a clear error at their line, never an internal error; merging a
scenario onto a shared topology costs work in proportion to the files' size."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.scenario.library import scenario_dir
from chaosgame.scenario.loader import Loc, Mark, load_scenario_text, parse_yaml, validate_file
from chaosgame.scenario.template import render
from chaosgame.scenario.topology import apply_extends
from chaosgame.scenario.yamlread import MAX_BYTES

TEMPLATE = render("hostile")


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in validate_file(path)]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


def test_a_number_with_thousands_of_digits_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = TEMPLATE.replace("seed: 1 ", "seed: " + "9" * 5000 + " ")
    found = problems_of(tmp_path, text)
    line = line_of(text, "seed: 999")
    assert found == [
        f"{tmp_path / 'hostile.yaml'}:{line}:7: a number written with 5,000 digits "
        "is too large; numbers in a scenario have at most 40 digits"
    ]


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400 + ".5"])
def test_a_number_too_large_for_a_float_is_an_error_at_its_line(
    tmp_path: Path, number: str
) -> None:
    text = TEMPLATE.replace("rate: 80", f"rate: {number}")
    found = problems_of(tmp_path, text)
    assert len(found) == 1
    assert f":{line_of(text, '  - {name: order, entry')}:" in found[0]
    assert "too large a number" in found[0]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("a" * 5000, "File name too long"),
        (("a" * 250 + "/") * 20 + "shop.yaml", "File name too long"),
        ('"shop\\0.yaml"', "not a usable file name"),
    ],
    ids=["long-name", "long-path", "nul-byte"],
)
def test_an_extends_name_the_file_system_refuses_is_an_error_at_its_line(
    tmp_path: Path, name: str, why: str
) -> None:
    text = TEMPLATE.replace("components:\n", f"extends: {name}\ncomponents:\n", 1)
    found = problems_of(tmp_path, text)
    line = line_of(text, "extends:")
    assert [p for p in found if f":{line}:10: extends: '" in p and why in p], found
    assert all(len(p) < 400 for p in found)  # the name is cut short in the message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_file_is_refused_without_reading_it_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", "/dev/zero"]) == 1
    err = capsys.readouterr().err
    assert (
        err == "/dev/zero:1:1: the file is larger than 8 MiB, the most a scenario or "
        "topology file may be\n"
    )


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 10 + 1))
    assert [p.message for p in validate_file(path)] == [
        "the file is larger than 8 MiB, the most a scenario or topology file may be"
    ]
    small = tmp_path / "small.yaml"
    body = TEMPLATE.encode()
    small.write_bytes(b"#" * (MAX_BYTES - len(body) - 1) + b"\n" + body)  # exactly the cap
    assert validate_file(small) == []


def test_a_byte_that_is_not_utf8_is_placed(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: x\ntitle: caf\xe9\n")
    found = validate_file(path)
    assert [(p.line, p.col) for p in found] == [(2, 11)]
    assert "not UTF-8" in found[0].message


# ------------------------------------------------------------------ a linear merge
class CountingMarks(dict[Loc, Mark]):
    """Marks that count every entry the merge reads by going through them."""

    reads = 0

    def items(self) -> ItemsView[Loc, Mark]:  # type: ignore[override]
        return _CountingItems(self)


class _CountingItems(ItemsView[Loc, Mark]):
    def __iter__(self) -> Iterator[tuple[Loc, Mark]]:
        for pair in super().__iter__():
            CountingMarks.reads += 1
            yield pair


def extra_components(n: int) -> str:
    text = (scenario_dir() / "browsing-crawls-after-lunch.yaml").read_text(encoding="utf-8")
    extra = "".join(f"  - {{name: extra-{i}, kind: worker, replicas: 1}}\n" for i in range(n))
    return text.replace("\ncomponents:\n", "\ncomponents:\n" + extra, 1)


def merge_reads(n: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Mark entries the merge reads for a scenario with ``n`` extra components, and how many
    marks the two files have together."""
    import chaosgame.scenario.topology as topology

    real_load = topology.load_topology
    sizes = []

    def counting_load(*args: Any, **kwargs: Any) -> Any:
        out = real_load(*args, **kwargs)
        if out is not None:
            sizes.append(len(out[1]))
            out = (out[0], CountingMarks(out[1]))
        return out

    monkeypatch.setattr(topology, "load_topology", counting_load)
    data, marks, _ = parse_yaml(extra_components(n), "x.yaml")
    CountingMarks.reads = 0
    merged, merged_marks, problems = apply_extends(
        data, CountingMarks(marks), "x.yaml", scenario_dir()
    )
    assert not problems
    assert len(merged["components"]) == 16 + n  # the shop (changed by the scenario), the extras
    return CountingMarks.reads, len(marks) + sizes[0]


def test_merging_onto_a_topology_reads_each_mark_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small, small_size = merge_reads(200, monkeypatch)
    big, big_size = merge_reads(1000, monkeypatch)
    assert small <= 3 * small_size
    assert big <= 3 * big_size  # quadratic: every entry moved went through every mark
    assert big / small < 1.2 * big_size / small_size


def test_a_big_merge_is_placed_like_a_small_one() -> None:
    """The merged marks of 2,000 extra components point at their own lines, in order."""
    text = extra_components(2000)
    sc_lines = text.splitlines()
    sc = load_scenario_text(text, "x.yaml", base_dir=scenario_dir())
    names = [c.name for c in sc.components]
    assert not any(n.startswith("extra-") for n in names[:16])  # the shop's own come first
    data, marks, _ = parse_yaml(text, "x.yaml")
    _, merged, _ = apply_extends(data, marks, "x.yaml", scenario_dir())
    for i in (0, 999, 1999):
        at = names.index(f"extra-{i}")
        _, line, _ = merged[("components", at, "name")]
        assert f"extra-{i}," in sc_lines[line - 1]
