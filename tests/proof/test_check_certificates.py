"""``cert_expires_at`` beside a ``cert-expired`` fault: one expiry, said twice, or refused."""

from __future__ import annotations

import pytest

from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import ScenarioError, load_scenario_text

LEDGER = find("transfers-fail-after-midnight").read_text(encoding="utf-8")
DESCRIPTION = '    description: "double-entry ledger, mutual TLS only"\n'


def with_expiry(when: str) -> str:
    """The ledger scenario whose ledger component also says when its certificate expires
    (the fault itself starts at 20m)."""
    assert DESCRIPTION in LEDGER
    return LEDGER.replace(DESCRIPTION, f"{DESCRIPTION}    cert_expires_at: {when}\n")


def test_the_expiry_said_twice_is_the_faults_mechanism() -> None:
    """The fault-free baseline no longer expires the certificate, so the checks compare the
    expiry with a healthy fleet (before: the fault 'did not hurt', the root cause was
    'invisible' and doing nothing 'recovered by itself')."""
    checks = check_scenario(load_scenario_text(with_expiry("20m")))
    failed = [f"{c.name}: {c.reason}" for c in checks if not c.ok]
    assert not failed, failed


def test_two_different_expiries_are_refused_with_one_message() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(with_expiry("25m"))
    text = str(err.value)
    assert text.count("cert_expires_at") == 2  # one message naming both fields
    assert (
        "faults[0].at: the cert-expired fault on ledger starts at 20m, but "
        "components[5].cert_expires_at says its certificate expires at 25m" in text
    )
    assert "(at: 25m), or leave cert_expires_at out" in text
