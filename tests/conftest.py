"""Shared fixtures: small scenarios built in code, and the curated library."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.scenario.model import Scenario


@pytest.fixture(autouse=True, scope="session")
def _index_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Tests keep the library's header cache in a temporary folder, never the user's."""
    with pytest.MonkeyPatch.context() as m:
        m.setenv("CHAOSGAME_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


def make_scenario(**overrides: Any) -> Scenario:
    """A small valid scenario: gateway -> api -> db, one journey, one SLO, no faults."""
    data: dict[str, Any] = {
        "id": "tiny",
        "title": "tiny",
        "topics": ["scalability-ha"],
        "duration": 3600.0,
        "time_limit": 1200.0,
        "components": [
            {
                "name": "gw",
                "kind": "gateway",
                "replicas": 2,
                "capacity": 500.0,
                "service_time": 0.002,
            },
            {
                "name": "api",
                "kind": "service",
                "replicas": 2,
                "capacity": 50.0,
                "service_time": 0.02,
            },
            {
                "name": "db",
                "kind": "database",
                "replicas": 1,
                "capacity": 400.0,
                "service_time": 0.005,
            },
        ],
        "dependencies": [
            {"from": "gw", "to": "api", "timeout": 30.0},
            {"from": "api", "to": "db", "timeout": 0.5},
        ],
        "journeys": [{"name": "shop", "entry": "api", "via": "gw", "rate": 40.0}],
        "slos": [{"journey": "shop", "sli": "availability", "target": 0.999}],
        "truth": {"root_cause": {"kind": "no-fault"}},
    }
    for key, value in overrides.items():
        data[key] = value
    return Scenario.model_validate(data)


@pytest.fixture
def tiny() -> Scenario:
    return make_scenario()
