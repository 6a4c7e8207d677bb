"""Alembic migrations: schema from empty, no-op upgrade, agreement with the models."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tripolar.store import open_store
from tripolar.store.location import create_store_engine, resolve_location
from tripolar.store.migrate import current_revision, head_revision, upgrade_to_head
from tripolar.store.models import Base

TABLES = {"dataset_editions", "treaties", "postures", "runs", "alembic_version"}


def test_migrations_create_the_schema_from_empty(store_path: Path) -> None:
    assert not store_path.exists()
    with open_store(store_path) as store:
        names = set(sa.inspect(store.engine).get_table_names())
        assert names == TABLES
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
    assert store_path.read_bytes().startswith(b"SQLite format 3\x00")


def test_migrated_schema_matches_the_models(store_path: Path) -> None:
    with open_store(store_path) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrading_an_up_to_date_store_is_a_no_op(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.record_run("assess", {"seed": 1}, {"ok": True}, dataset_hash=None)
    engine = create_store_engine(resolve_location(store_path))
    try:
        statements: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert upgrade_to_head(engine, display=str(store_path)) is False
        assert not [s for s in statements if s.lstrip().upper().startswith(("CREATE", "ALTER"))]
    finally:
        engine.dispose()
    with open_store(store_path) as store:
        assert [r.id for r in store.list_runs()] == [1]


def test_an_empty_existing_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    with open_store(path) as store:
        assert "runs" in sa.inspect(store.engine).get_table_names()


def test_in_memory_url_works() -> None:
    with open_store("sqlite://") as store:
        store.record_run("assess", {"seed": 1}, {"ok": True}, dataset_hash=None)
        assert len(store.list_runs()) == 1
