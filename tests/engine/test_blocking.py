"""What a block or a rate limit really drops: the requests of the clients and tenants it covers.

The address rules are the documented behaviour of CIDR blocks (RFC 4632: a prefix covers every
longer prefix inside it; ``0.0.0.0/0`` covers every IPv4 address, the default route)."""

from __future__ import annotations

import pytest

from chaosgame.engine.blocking import covers, everyone
from chaosgame.engine.grading import evaluate
from chaosgame.engine.hiding import dropped
from tests.engine.test_side_effects import f, journey, m, play

ABUSE = [f("credential-stuffing", "api", journey="login", factor=9.0)]  # from 203.0.113.0/24


@pytest.mark.parametrize(
    ("blocked", "client", "stops"),
    [
        ("203.0.113.0/24", "203.0.113.0/24", True),
        ("203.0.0.0/16", "203.0.113.0/24", True),
        ("0.0.0.0/0", "203.0.113.0/24", True),
        ("0.0.0.0/0", "AS64500", True),
        ("::/0", "2001:db8::/32", True),
        ("198.51.100.0/24", "203.0.113.0/24", False),
        ("203.0.113.0/25", "203.0.113.0/24", False),  # half the range lets the rest through
        ("AS64500", "203.0.113.0/24", False),
    ],
)
def test_a_block_covers_the_ranges_inside_it(blocked: str, client: str, stops: bool) -> None:
    assert covers(blocked, client) is stops


def test_only_the_all_addresses_range_is_everyone() -> None:
    assert all(everyone(c) for c in ("0.0.0.0/0", "::/0", " 0.0.0.0/0 "))
    assert not any(everyone(c) for c in ("0.0.0.0/1", "AS0", "everyone"))


def test_blocking_a_range_that_holds_the_abuser_stops_the_abuse() -> None:
    wider = play([(300.0, m("block-client", "gw", client="203.0.0.0/16"))], 600.0, faults=ABUSE)
    assert journey(wider, "errors", 590.0, "login") < 0.01


def test_blocking_every_address_rejects_every_request() -> None:
    """``0.0.0.0/0`` at the gateway: every request that arrives there is refused (the
    users' and the abuser's alike), so every journey through it fails."""
    sim = play([(300.0, m("block-client", "gw", client="0.0.0.0/0"))], 600.0, faults=ABUSE)
    for name in ("shop", "login"):
        assert journey(sim, "errors", 590.0, name) > 0.99
        assert journey(sim, "errors", 290.0, name) < 0.99  # and not before the block
    assert any("100% of shop traffic is dropped at gw" in p for p in dropped(sim, 0.5))


def test_rate_limiting_a_small_tenant_drops_its_share_of_the_journey() -> None:
    """Tenant ``big`` sends 30 % of the requests, ``rest`` 70 %: limiting ``big`` in full
    drops 30 % of each journey, which is no dropped journey; limiting ``rest`` drops 70 %."""
    small = play([(300.0, m("rate-limit", "gw", tenant="big", fraction=1.0))], 1200.0)
    assert dropped(small, 0.5) == []
    assert "30% of shop traffic is dropped at gw (tenant big 100%, tenant rest 0%)" in (
        dropped(small, 0.3)
    )
    assert evaluate(small, 300.0, 600.0).invariants_ok
    large = play([(300.0, m("rate-limit", "gw", tenant="rest", fraction=1.0))], 1200.0)
    assert "70% of shop traffic is dropped at gw (tenant big 0%, tenant rest 100%)" in (
        evaluate(large, 300.0, 600.0).reasons
    )
