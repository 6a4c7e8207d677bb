"""Store locations: default path, env var, URLs, and bad locations refused without side effects."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_server import PostgresServer

from tripolar.errors import InputError
from tripolar.store import default_store_path, open_store

needs_non_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions"
)


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def test_env_var_chooses_the_store(_isolated_store_env: Path) -> None:
    with open_store() as store:
        assert store.location == str(_isolated_store_env)
        store.record_run("assess", {}, {}, dataset_hash=None)
    assert _isolated_store_env.is_file()


def test_default_is_the_user_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIPOLAR_STORE")
    expected = tmp_path / "home" / ".local" / "share" / "tripolar" / "store.sqlite"
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert default_store_path() == expected
    with open_store() as store:
        assert Path(store.location) == default_store_path()
        store.record_run("assess", {}, {}, dataset_hash=None)
    assert default_store_path().is_file()


def test_xdg_data_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.name != "posix" or os.uname().sysname != "Linux":
        pytest.skip("XDG applies on Linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "tripolar" / "store.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    assert (
        default_store_path() == tmp_path / "home" / ".local" / "share" / "tripolar" / "store.sqlite"
    )


def test_sqlite_url_and_path_are_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "same.sqlite"
    with open_store(path) as store:
        store.record_run("assess", {"seed": 1}, {}, dataset_hash=None)
    with open_store(f"sqlite:///{path}") as store:
        assert [r.command for r in store.list_runs()] == ["assess"]


def test_missing_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.sqlite"
    with open_store(path) as store:
        store.record_run("assess", {}, {}, dataset_hash=None)
    assert path.is_file()


def test_path_under_a_regular_file_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    before = _tree(tmp_path)
    with pytest.raises(InputError) as info:
        open_store(blocker / "sub" / "store.sqlite")
    message = str(info.value)
    assert str(blocker / "sub" / "store.sqlite") in message
    assert "not a directory" in message
    assert "\n" not in message
    assert _tree(tmp_path) == before
    assert blocker.read_text() == "x"


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes\n")
    with pytest.raises(InputError, match="not a SQLite database"):
        open_store(path)
    assert path.read_text() == "these are my notes\n"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        open_store(tmp_path)


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE runs (x INTEGER)")
    conn.close()
    with pytest.raises(InputError, match="cannot open the store"):
        open_store(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"runs"}


def test_a_store_from_a_newer_tripolar_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    open_store(path).list_runs()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz_future'")
    conn.close()
    with pytest.raises(InputError, match="newer"):
        open_store(path)


@needs_non_root
def test_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    open_store(path).list_runs()
    path.chmod(0o444)
    try:
        with pytest.raises(InputError, match="not writable"):
            open_store(path)
    finally:
        path.chmod(0o644)


@needs_non_root
def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            open_store(locked / "store.sqlite")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_read_only_open_does_not_create(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(InputError, match="no tripolar store"):
        open_store(path, create=False)
    assert not path.exists()


@pytest.mark.parametrize(
    ("location", "match"),
    [
        ("mysql://user:secret@localhost/db", "unsupported database"),
        ("://user:secret@nowhere", "cannot parse"),
        ("", "empty store location"),
    ],
)
def test_bad_urls(location: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        open_store(location)
    assert "secret" not in str(info.value)


def test_postgresql_url_without_a_server_or_driver_is_an_input_error() -> None:
    # Port 1 on localhost: refused at once if a driver is installed; without one, the
    # missing driver is reported. Either way: one InputError, no password in it.
    with pytest.raises(InputError) as info:
        open_store("postgresql+psycopg://user:secret@127.0.0.1:1/tripolar")
    assert "secret" not in str(info.value)
    assert "postgresql" in str(info.value)


@pytest.fixture
def pg_database(pg_server: PostgresServer) -> Iterator[str]:
    """The name of a new, empty database on the test session's PostgreSQL server."""
    name = pg_server.create_database()
    yield name
    pg_server.drop_database(name)


def test_postgresql_url_from_the_env_var(
    pg_server: PostgresServer, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPOLAR_STORE", pg_server.url(pg_database))
    with open_store() as store:
        store.record_run("assess", {"seed": 1}, {}, dataset_hash=None)
        assert store.engine.dialect.name == "postgresql"
    with open_store(pg_server.url(pg_database)) as store:
        assert [r.command for r in store.list_runs()] == ["assess"]


def test_plain_postgresql_url_uses_psycopg(pg_server: PostgresServer, pg_database: str) -> None:
    plain = pg_server.url(pg_database).replace("postgresql+psycopg://", "postgresql://")
    with open_store(plain) as store:
        assert store.engine.dialect.driver == "psycopg"
        assert store.location == plain


def test_postgresql_password_is_never_shown(pg_server: PostgresServer, pg_database: str) -> None:
    # The throwaway server trusts 127.0.0.1, so any password is accepted and must be hidden.
    url = f"postgresql+psycopg://tripolar:s3cret@127.0.0.1:{pg_server.port}/{pg_database}"
    with open_store(url) as store:
        assert "s3cret" not in store.location and "***" in store.location
        assert "s3cret" not in repr(store)
    missing = url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(InputError, match="no_such_database") as info:
        open_store(missing)
    message = str(info.value)
    assert "s3cret" not in message
    assert "\n" not in message
    assert "cannot open the store" in message


def test_reading_an_empty_database_does_not_create_a_store(
    pg_server: PostgresServer,
    pg_database: str,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    url = pg_server.url(pg_database)
    with pytest.raises(InputError, match="no tripolar store"):
        open_store(url, create=False)
    code, out, err = cli("runs", "--store", url)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no tripolar store" in err
    engine = sa.create_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
