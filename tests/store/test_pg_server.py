"""The test PostgreSQL server helper: found binaries, and failing under CI without them."""

from __future__ import annotations

import os

import pg_server as helper
import pytest
import sqlalchemy as sa
from pg_server import PostgresServer, ServerUnavailable


def _no_binaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helper.glob, "glob", lambda _pattern: [])
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("TRIPOLAR_PG_BINDIR", raising=False)


def test_missing_binaries_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_binaries(monkeypatch)
    with pytest.raises(ServerUnavailable, match="initdb, pg_ctl") as info:
        helper.find_bindir()
    assert "apt-get install postgresql" in str(info.value)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_binaries_fail_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    _no_binaries(monkeypatch)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        helper.start_server_for_tests()


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_missing_binaries_skip_locally(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    _no_binaries(monkeypatch)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="initdb"):
        helper.start_server_for_tests()


def test_the_server_is_a_real_postgresql(pg_server: PostgresServer) -> None:
    engine = sa.create_engine(pg_server.admin_url)
    try:
        with engine.connect() as conn:
            version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
            socket_dir = conn.exec_driver_sql("SHOW unix_socket_directories").scalar_one()
    finally:
        engine.dispose()
    assert version == pg_server.version_num >= 100000
    assert socket_dir == str(pg_server.root)
    assert pg_server.data_dir.is_dir()
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        assert pg_server.data_dir.stat().st_uid != 0
