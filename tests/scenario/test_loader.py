"""Bad scenario files get file:line:col messages in plain words, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.scenario.library import find, scenario_paths
from chaosgame.scenario.loader import ScenarioError, load_scenario, load_scenario_text

GOOD = find("checkout-payment-step-failing").read_text()


def errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_curated_scenario_loads() -> None:
    assert scenario_paths()
    for path in scenario_paths():
        load_scenario(path)


def test_unknown_key_is_placed_and_suggested() -> None:
    text = GOOD.replace("retries: {count: 3", "retires: {count: 3")
    (msg,) = errors(text)
    assert msg.startswith(f"s.yaml:{line_of(text, 'retires')}:")
    assert "unknown key 'retires'" in msg
    assert "did you mean 'retries'?" in msg


def test_unknown_component_in_an_edge_names_the_close_one() -> None:
    text = GOOD.replace("{from: checkout, to: orders", "{from: checkout, to: ordres")
    (msg,) = errors(text)
    assert f":{line_of(text, 'to: ordres')}:" in msg
    assert "unknown component 'ordres'" in msg
    assert "did you mean 'orders'" in msg


def test_fault_on_the_wrong_kind_of_target_says_which_kinds_it_takes() -> None:
    text = GOOD.replace(
        "    target: payments\n    version: v3.2.0", "    target: payments-db\n    version: v3.2.0"
    )
    (msg,) = errors(text)
    assert "cannot target 'payments-db', a database" in msg
    assert "gateway, service, worker" in msg


def test_unknown_fault_kind_is_suggested() -> None:
    text = GOOD.replace("- kind: bad-deploy", "- kind: bad-deploi")
    (msg,) = errors(text)
    assert f":{line_of(text, 'bad-deploi')}:" in msg
    assert "did you mean 'bad-deploy'" in msg


def test_yes_no_on_off_are_never_booleans() -> None:
    text = GOOD.replace(
        "{from: payments, to: fraud-api, timeout: 2s}",
        "{from: payments, to: fraud-api, timeout: 2s, required: yes}",
    )
    (msg,) = errors(text)
    assert "must be true or false" in msg
    assert "'yes'" in msg


def test_dates_stay_strings() -> None:
    text = GOOD.replace('clock_start: "2026-03-14T13:30:00Z"', "clock_start: 2026-03-14T13:30:00Z")
    sc = load_scenario_text(text)
    assert sc.clock_start == "2026-03-14T13:30:00Z"


def test_every_error_is_reported_at_once() -> None:
    text = GOOD.replace("retries: {count: 3", "retires: {count: 3").replace(
        "rate: 40,", "rate: fast,"
    )
    assert len(errors(text)) == 2


def test_yaml_syntax_errors_name_the_line() -> None:
    text = GOOD.replace("  - {name: web, kind: service,", "  - {name: web kind: service,")
    (msg,) = errors(text)
    assert "YAML syntax error" in msg
    assert msg.startswith("s.yaml:")


def test_bad_duration_explains_the_format() -> None:
    text = GOOD.replace("time_limit: 45m", "time_limit: 45 minutes")
    (msg,) = errors(text)
    assert "not a duration" in msg
    assert "5m" in msg


def test_cycle_in_the_call_graph_is_reported() -> None:
    from chaosgame.engine.world import TopologyError, build_world

    text = GOOD.replace("dependencies:\n", "dependencies:\n  - {from: payments, to: checkout}\n")
    with pytest.raises(TopologyError, match="cycle: .*checkout.*payments"):
        build_world(load_scenario_text(text))


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ScenarioError, match="empty"):
        load_scenario(empty)


def test_duplicate_component_names_are_caught_by_the_model_itself() -> None:
    from pydantic import ValidationError

    from tests.conftest import make_scenario

    comps = make_scenario().model_dump(by_alias=True)["components"]
    with pytest.raises(ValidationError, match="duplicate names api"):
        make_scenario(components=[*comps, comps[1]])


def test_libyaml_and_python_composers_give_the_same_values_and_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chaosgame.scenario import yamlread as loader

    if loader._FAST_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    paths = [
        *scenario_paths(),
        *sorted((Path(scenario_paths()[0]).parent / "topologies").glob("*.yaml")),
    ]
    tricky = "a: on\nb: '1'\nc: |\n  x\nd: [1, 2.5, ~, 12:30, 2026-01-01]\ne: &x {f: g}\nh: *x\n"
    for text, where in [*((p.read_text(), str(p)) for p in paths), (tricky, "<tricky>")]:
        fast = loader.parse_yaml(text, where)
        with monkeypatch.context() as m:
            m.setattr(loader, "_FAST_LOADER", None)
            slow = loader.parse_yaml(text, where)
        assert fast == slow, where
