"""Placeholder: this query kind is being written (see docs/queries.md)."""

from __future__ import annotations

from typing import Any

from chaosgame.telemetry.errors import QueryError


def logs_query(*args: Any) -> dict[str, Any]:
    raise QueryError("this kind of query is not available yet")


def trace_by_id(*args: Any) -> dict[str, Any]:
    raise QueryError("this kind of query is not available yet")
