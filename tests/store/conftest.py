"""Fixtures for the store tests: every store lives under tmp_path, never in $HOME.

Tests that take ``store`` or ``store_url`` run twice: on a new SQLite file and on a new,
empty database of a throwaway PostgreSQL server that this test session starts itself
(see ``pg_server.py``). Without the server binaries the PostgreSQL half is skipped
locally, and fails when ``$CI`` is set: CI must test both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PostgresServer, start_server_for_tests

from tripolar.store import Store, open_store

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _isolated_store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $TRIPOLAR_STORE and the home directory into tmp_path for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    default = tmp_path / "env-store" / "store.sqlite"
    monkeypatch.setenv("TRIPOLAR_STORE", str(default))
    return default


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session, stopped (and deleted) at its end."""
    server = start_server_for_tests()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "stores" / "test.sqlite"


@pytest.fixture
def store_url(backend: str, store_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a store that does not exist yet would be, as ``--store`` takes it.

    SQLite: a file path whose directory does not exist either. PostgreSQL: the URL of
    a new, empty database, dropped after the test.
    """
    if backend == "sqlite":
        yield str(store_path)
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()
