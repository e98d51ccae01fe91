"""The ``recovery:`` block and a staged reference solution: what validation accepts, and
every mistake placed at its line with a plain message."""

from __future__ import annotations

import pytest

from chaosgame.scenario.action_rules import Requirement, WaitStep, WaitUntilStep
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import ScenarioError, load_scenario_text

LONG = find("issue-tracker-down").read_text(encoding="utf-8")
STAGED = find("product-pages-fail-at-morning-peak").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def line(text: str, fragment: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln)


def test_the_shipped_rules_load_as_written() -> None:
    sc = load_scenario_text(LONG)
    assert sc.recovery is not None
    assert [s.name for s in sc.recovery.runbook] == ["provision-restore-host"]
    assert [type(s) for s in sc.truth.reference_solution][1] is WaitStep
    assert [m.action for m in sc.truth.mitigations] == ["run-step", "restore-backup"]
    staged = load_scenario_text(STAGED)
    assert isinstance(staged.truth.reference_solution[1], WaitUntilStep)


def test_a_scenario_without_recovery_rules_has_none() -> None:
    sc = load_scenario_text(find("checkout-payment-step-failing").read_text(encoding="utf-8"))
    assert sc.recovery is None
    assert sc.truth.mitigations == sc.truth.reference_solution


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "        - step: provision-restore-host\n",
            "        - step: provision-host\n",
            "step: provision-host",
            "recovery.actions[0].requires[0].step: unknown runbook step 'provision-host'; did "
            "you mean 'provision-restore-host'?",
        ),
        (
            "    - action: restore-backup\n      target: tracker-db\n      takes: 6h",
            "    - action: restore-bakup\n      target: tracker-db\n      takes: 6h",
            "action: restore-bakup",
            "recovery.actions[0].action: unknown action 'restore-bakup'; did you mean "
            "'restore-backup'?",
        ),
        (
            "      target: tracker-db\n      takes: 6h",
            "      target: trakcer-db\n      takes: 6h",
            "target: trakcer-db",
            "recovery.actions[0].target: unknown component 'trakcer-db'; did you mean "
            "'tracker-db'?",
        ),
        (
            "        - step: provision-restore-host\n",
            "        - step: provision-restore-host\n          up: tracker\n",
            "- step: provision-restore-host",
            "recovery.actions[0].requires[0]: a requirement is exactly one of done, step, up or "
            "when (got step, up)",
        ),
        (
            "      without: refuse\n",
            "      without: harm\n",
            "- action: restore-backup",
            "recovery.actions[0]: without: harm needs a 'harm' saying what it does",
        ),
        (
            "    - {action: run-step, target: tracker-db, step: provision-restore-host}\n",
            "    - {action: run-step, target: tracker-db, step: provision}\n",
            "step: provision}",
            "truth.reference_solution[0].step: unknown runbook step 'provision'",
        ),
        (
            "    - wait: 45m\n",
            "    - wait: soon\n",
            "wait: soon",
            "truth.reference_solution[1].wait:",
        ),
    ],
)
def test_a_mistake_is_placed_at_its_line(old: str, new: str, where: str, message: str) -> None:
    assert old in LONG
    text = LONG.replace(old, new, 1)
    found = problems(text)
    assert len(found) == 1, found
    at, _, said = found[0].partition(": ")
    assert said.startswith(message), said
    assert abs(int(at) - line(text, where)) <= 1


def test_a_condition_needs_one_bound_and_a_known_metric() -> None:
    text = STAGED.replace("metric: cache_hit, above: 0.4}", "metric: cache_hit}", 1)
    assert any("say either 'above' or 'below'" in p for p in problems(text))
    text = STAGED.replace("metric: cache_hit, above: 0.4}", "metric: hit_ratio, above: 0.4}", 1)
    found = problems(text)
    assert any("wait_until.metric: 'hit_ratio' is not one of" in p for p in found), found
    text = STAGED.replace(
        "wait_until: {component: catalog-cache,", "wait_until: {component: catalog-cash,", 1
    )
    found = problems(text)
    assert any(
        "unknown component 'catalog-cash'; did you mean 'catalog-cache'?" in p for p in found
    )


def test_rule_parameters_must_be_the_actions_own() -> None:
    text = STAGED.replace("params: {replicas: 8}", "params: {replica: 8}", 1)
    found = problems(text)
    assert any("params: scale has no parameter 'replica'; it takes replicas" in p for p in found)


def test_a_requirement_says_what_it_needs() -> None:
    assert Requirement(up="db").text() == "db up"
    assert Requirement(step="open-console").text() == "runbook step open-console done first"
