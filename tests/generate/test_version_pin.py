"""A shared seed code makes the same incident for as long as its generator version stands.

These digests pin what six codes generate. A change to the generator that alters them makes
another incident out of codes people may have shared already: if the change is meant, raise
``chaosgame.generate.codes.VERSION`` (old codes are then refused with a clear message, never
misread) and write the new digests here.
"""

from __future__ import annotations

import hashlib

import pytest

from chaosgame.generate.build import generate_yaml
from chaosgame.generate.codes import VERSION, parse

PINNED = {
    "F8Y8-DRDS": "89a710e815b34cd5",
    "XFFV-K2RW": "ea08ffaee8dbfa1f",
    "37X5-GD79": "c16019942271e235",
    "HYB9-NSDR": "85fcfe4cf65bcd53",
    "V47K-05V5": "ce3874552b08928e",
    "7S0J-EWCD": "34d8029bd1eeee1e",
}
PINNED_VERSION = 1


@pytest.mark.parametrize("code", sorted(PINNED))
def test_a_code_still_makes_the_incident_it_made(code: str) -> None:
    assert VERSION == PINNED_VERSION, "a new generator version: write its digests here"
    text = generate_yaml(parse(code))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert digest == PINNED[code], (
        f"{code} now makes another incident under generator version {VERSION}: raise "
        "codes.VERSION if the change is meant (see this file's docstring)"
    )
