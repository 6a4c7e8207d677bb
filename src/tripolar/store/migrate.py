"""Bring a store's schema to the head Alembic revision when it is opened.

The Alembic configuration is built in code and points at the migrations shipped inside
the package, so no ``alembic.ini`` is needed at run time. The whole upgrade, including
the version stamp, runs in one transaction: a store is either fully migrated or not at all.

Processes that open a store at the same moment take turns: on SQLite the caller holds
the store's lock file (:mod:`tripolar.store.locking`) and the transaction takes the
write lock when it begins; on PostgreSQL the transaction first takes an advisory lock, so
the second process waits, then finds the schema at head and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from tripolar.errors import InputError
from tripolar.store.location import writing
from tripolar.store.locking import PG_MIGRATION_LOCK_KEY

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic :class:`Config` for the packaged migrations (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    """The newest schema revision this version of tripolar knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions in {MIGRATIONS_DIR}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the store (``None`` for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, *, display: str, create: bool = True) -> bool:
    """Migrate the store behind ``engine`` to head; True if anything was applied.

    A store stamped with a revision this tripolar does not know was written by a newer
    version; it is refused rather than guessed at. With ``create`` false an empty
    database (no tripolar schema yet) is refused instead of given one.
    """
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    with writing(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Released by the commit or rollback that ends this transaction.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY}
            )
        current = current_revision(connection)
        if current == script.get_current_head():
            return False
        if current is None and not create:
            raise InputError(
                "no tripolar store here",
                file=display,
                expected="a store that an analysis command such as `tripolar assess` has written",
            )
        if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
            raise InputError(
                f"store schema revision {current!r} is newer than this tripolar knows",
                file=display,
                expected="a store written by this or an older tripolar version",
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True
