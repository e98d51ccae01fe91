"""``block-client``: which clients a block covers, and blocking every address.

A client is named as the logs name it: an address range (``203.0.113.0/24``), an ASN or an API
key. A blocked address range covers every range inside it, so blocking ``203.0.0.0/16`` also
stops an abusive client at ``203.0.113.0/24``. The all-addresses range (``0.0.0.0/0`` or
``::/0``) covers everyone: the gateway rejects every request that arrives at it, the users'
as well as any abuser's. Anything else (an ASN, a key) covers only itself.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PREFIX = "block:"
"""The key of a block in the state's resets: ``(PREFIX + client, component)``."""


def network(client: str) -> Network | None:
    """The address range ``client`` names, or None when it names no range."""
    try:
        return ipaddress.ip_network(client.strip(), strict=False)
    except ValueError:
        return None


def everyone(client: str) -> bool:
    """Whether ``client`` is the all-addresses range (it blocks every request)."""
    net = network(client)
    return net is not None and net.prefixlen == 0


def covers(blocked: str, client: str) -> bool:
    """Whether blocking ``blocked`` stops ``client``."""
    if blocked == client or everyone(blocked):
        return True
    outer, inner = network(blocked), network(client)
    if outer is None or inner is None or outer.version != inner.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]


def blocked_since(sim: Simulator, component: int, client: str, since: float) -> bool:
    """Whether a block covering ``client`` took effect on ``component`` at or after ``since``."""
    st = sim.state
    if st.reset_since(PREFIX + client, component, since):
        return True
    return any(
        what.startswith(PREFIX)
        and i == component
        and at >= since
        and covers(what[len(PREFIX) :], client)
        for (what, i), at in st.resets.items()
    )


def block_everyone(sim: Simulator, component: int, client: str) -> None:
    """From now on, ``component`` rejects every request that arrives at it."""

    def standing(sim: Simulator, m: Modifiers) -> None:
        m.block[:, component] = 1.0

    sim.standing[("block-client", f"{sim.world.names[component]}:{client}")] = standing
