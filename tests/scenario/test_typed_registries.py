"""The fault and mitigation registries are typed by model: every kind has its model's
registered name, and the fields the engine reads through a base class (a fault's ``version``
and ``flag``, a mitigation's ``to``) are declared on that base by every model that has them."""

from __future__ import annotations

import pytest

from chaosgame.engine.faults import EFFECTS, INTRODUCES, STARTS, effect
from chaosgame.engine.mitigations import APPLY, applies
from chaosgame.scenario.actions import MITIGATIONS, MitigationBase, Towards, action_of
from chaosgame.scenario.fault_kinds import Rollout
from chaosgame.scenario.faults import (
    FAULT_KINDS,
    FaultBase,
    FlaggedFault,
    VersionedFault,
    kind_of,
)


def test_every_model_knows_its_registered_name() -> None:
    for kind, info in FAULT_KINDS.items():
        assert kind_of(info.model) == kind
    for action, minfo in MITIGATIONS.items():
        assert action_of(minfo.model) == action


def test_bases_are_no_kind_and_cannot_be_registered() -> None:
    for base in (FaultBase, VersionedFault, FlaggedFault, Rollout):
        with pytest.raises(TypeError):
            kind_of(base)
        with pytest.raises(TypeError):
            effect(base)(lambda *a: None)
    for mbase in (MitigationBase, Towards):
        with pytest.raises(TypeError):
            action_of(mbase)
        with pytest.raises(TypeError):
            applies(mbase)(lambda *a: "")


def test_registries_hold_only_registered_names() -> None:
    for registry in (EFFECTS, STARTS, INTRODUCES):
        assert set(registry) <= set(FAULT_KINDS)
    assert set(APPLY) == set(MITIGATIONS)


@pytest.mark.parametrize(("field", "base"), [("version", VersionedFault), ("flag", FlaggedFault)])
def test_fault_fields_read_through_a_base(field: str, base: type[FaultBase]) -> None:
    having = [k for k, info in FAULT_KINDS.items() if field in info.model.model_fields]
    assert having
    for kind in having:
        assert issubclass(FAULT_KINDS[kind].model, base), kind
    for kind, info in FAULT_KINDS.items():
        if issubclass(info.model, base):
            assert field in info.model.model_fields, kind


def test_mitigations_with_a_to_are_towards() -> None:
    for action, info in MITIGATIONS.items():
        assert ("to" in info.model.model_fields) == issubclass(info.model, Towards), action
