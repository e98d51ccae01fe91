"""How a component's resources depend on the load it carries (``Component.resources``).

Every field is opt-in: a component without ``resources:`` (or with a field left out) behaves
exactly as before. The laws are in ``chaosgame/engine/load.py`` and ``docs/architecture.md``
("Load-dependent resources").
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import Duration

MAX_WORKERS = 100_000
MAX_MB = 100_000.0

Share = Annotated[float, Field(ge=0, lt=1)]
MegaBytes = Annotated[float, Field(ge=0, le=MAX_MB)]


class Resources(BaseModel):
    """How a component's memory, workers, contention and connections depend on its load."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    workers: int | None = Field(
        default=None,
        ge=1,
        le=MAX_WORKERS,
        description="requests one replica works on at once (threads, processes); the rest "
        "queue, and a worker waiting on a dependency is not free",
    )
    memory_per_request_mb: MegaBytes = Field(
        default=0.0,
        description="MB of working set per request in flight on a replica (in flight = "
        "served rate x time in system)",
    )
    memory_per_call_mb: MegaBytes = Field(
        default=0.0,
        description="MB of working set per call a replica has in flight to its dependencies "
        "(fan-out: results held until every call answers)",
    )
    contention: Share = Field(
        default=0.0,
        description="databases: serialised share of the work (the Universal Scalability "
        "Law's alpha, locks and queues)",
    )
    coherency: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.0,
        description="databases: cost of keeping concurrent work consistent, per pair of "
        "connections in use (the law's beta); past the knee more connections serve less",
    )
    connect_cpu: Duration = Field(
        default=0.0,
        description="CPU seconds one new connection costs this component (TLS, "
        "authentication, a backend process): a herd of reconnects can saturate it",
    )
    reconnect_spread: Duration = Field(
        default=0.0,
        description="callers: time over which a replica's pools reopen their connections "
        "after losing them (jittered reconnects); 0 opens them all at once",
    )
