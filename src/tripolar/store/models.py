"""SQLAlchemy tables of the tripolar store: dataset editions, treaties, postures, runs.

The schema is created and changed only by the Alembic migrations in
``tripolar/store/migrations``; these models describe the head revision and a test checks
that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Length of a SHA-256 digest written as lowercase hex.
HASH_LEN = 64


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no timestamp type and SQLAlchemy stores naive text there, so values are
    converted to UTC before writing and marked as UTC when read back; PostgreSQL keeps
    them in ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store keeps timezone-aware timestamps only")
        value = value.astimezone(UTC)
        # SQLite would write the offset into the text and then fail to parse it back.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: JSON documents: ``JSON`` (text) on SQLite, ``JSONB`` on PostgreSQL.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    # Fixed constraint names, so migrations can refer to them on every backend.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
        }
    )
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
    }


class DatasetEdition(Base):
    """One edition of the force data: the hash of its files and each file's SHA-256."""

    __tablename__ = "dataset_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    files: Mapped[dict[str, Any]]


class TreatyText(Base):
    """A treaty file (built in or uploaded) as it was when a run used it."""

    __tablename__ = "treaties"
    __table_args__ = (UniqueConstraint("treaty_id", "content_hash", name="uq_treaties_id_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    treaty_id: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    yaml_text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class PostureText(Base):
    """A user posture file (one party at one date) as it was when a run used it."""

    __tablename__ = "postures"
    __table_args__ = (
        UniqueConstraint("party", "as_of", "content_hash", name="uq_postures_party_as_of_hash"),
        Index("ix_postures_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party: Mapped[str] = mapped_column(String(50))
    as_of: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    yaml_text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class Run(Base):
    """One analysis run: command, inputs (and their hash), outputs, tool version, times."""

    __tablename__ = "runs"
    # AUTOINCREMENT on SQLite: run ids are cited next to figures, so an id must never be
    # handed out twice, even after the newest run is deleted.
    __table_args__ = (
        Index("ix_runs_command", "command"),
        Index("ix_runs_inputs_hash", "inputs_hash"),
        Index("ix_runs_started_at", "started_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(String(100))
    tool_version: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    inputs: Mapped[dict[str, Any]]
    inputs_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    dataset_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    outputs: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
