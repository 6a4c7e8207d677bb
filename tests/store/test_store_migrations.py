"""Alembic migrations: schema from empty, no-op upgrade, agreement with the models."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects.postgresql import JSONB

from tripolar.store import open_store
from tripolar.store.location import create_store_engine, resolve_location
from tripolar.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from tripolar.store.models import Base

TABLES = {"dataset_editions", "treaties", "postures", "runs", "alembic_version"}
# 0002: the web app's evaluation cache and negotiation rooms.
TABLES |= {"evaluation_cache", "rooms", "delegations", "room_rounds", "room_votes", "room_events"}


def test_migrations_create_the_schema_from_empty(store_url: str, backend: str) -> None:
    with open_store(store_url) as store:
        names = set(sa.inspect(store.engine).get_table_names())
        assert names == TABLES
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
    if backend == "sqlite":
        assert Path(store_url).read_bytes().startswith(b"SQLite format 3\x00")


def test_migrated_schema_matches_the_models(store_url: str) -> None:
    """Types, lengths, nullability, indexes and constraints agree on both backends."""
    with open_store(store_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_column_types_on_the_backend(store_url: str, backend: str) -> None:
    """PostgreSQL keeps JSON as jsonb and times as timestamptz; lengths are enforced."""
    with open_store(store_url) as store:
        columns = {c["name"]: c for c in sa.inspect(store.engine).get_columns("runs")}
    assert columns["command"]["type"].length == 100
    assert columns["inputs_hash"]["type"].length == 64
    assert all(not c["nullable"] for n, c in columns.items() if n != "dataset_hash")
    assert columns["dataset_hash"]["nullable"]
    assert all(c["default"] is None for n, c in columns.items() if n != "id")
    if backend == "postgresql":
        assert isinstance(columns["inputs"]["type"], JSONB)
        assert isinstance(columns["started_at"]["type"], sa.TIMESTAMP)
        assert columns["started_at"]["type"].timezone is True


def test_upgrading_an_up_to_date_store_is_a_no_op(store_url: str) -> None:
    with open_store(store_url) as store:
        store.record_run("assess", {"seed": 1}, {"ok": True}, dataset_hash=None)
    engine = create_store_engine(resolve_location(store_url))
    try:
        statements: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert upgrade_to_head(engine, display=store_url) is False
        assert not [s for s in statements if s.lstrip().upper().startswith(("CREATE", "ALTER"))]
    finally:
        engine.dispose()
    with open_store(store_url) as store:
        assert [r.id for r in store.list_runs()] == [1]


def test_downgrade_and_upgrade_again(store_url: str) -> None:
    """The initial revision's downgrade drops every table, on both backends."""
    with open_store(store_url) as store, store.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        assert set(sa.inspect(conn).get_table_names()) == {"alembic_version"}
    with open_store(store_url) as store:
        assert set(sa.inspect(store.engine).get_table_names()) == TABLES


def test_an_empty_existing_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    with open_store(path) as store:
        assert "runs" in sa.inspect(store.engine).get_table_names()


def test_in_memory_url_works() -> None:
    with open_store("sqlite://") as store:
        store.record_run("assess", {"seed": 1}, {"ok": True}, dataset_hash=None)
        assert len(store.list_runs()) == 1
