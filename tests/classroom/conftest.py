from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaosgame.classroom.store import Store, open_store
from tests.classroom.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    # not under pytest's own temporary folder: the postgres user must be able to reach it
    root = Path(tempfile.mkdtemp(prefix="chaosgame-pg-"))
    server = PostgresServer(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty class database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "class.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    import psycopg

    name = f"t{abs(hash(request.node.nodeid)) % 10**9}"
    with psycopg.connect(server.url, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    return server.url.replace("/chaosgame?", f"/{name}?")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
