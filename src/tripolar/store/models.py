"""SQLAlchemy tables of the tripolar store: dataset editions, treaties, postures, runs,
the web evaluation cache and negotiation rooms.

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
    ForeignKey,
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


class EvaluationCacheEntry(Base):
    """One finished web evaluation, keyed by the content hash of its inputs.

    The key hashes (treaty, dataset edition, seed, samples, rule, year), so a result is
    served again only for exactly the same inputs.
    """

    __tablename__ = "evaluation_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(HASH_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime]
    inputs: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]


class Room(Base):
    """A negotiation room: three delegations bargaining over one treaty family."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random public id used in URLs; row ids are never shown, so rooms cannot be guessed.
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    family_id: Mapped[str] = mapped_column(String(200))
    facilitator_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    agreement: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    # An uploaded family, as validated (null: the bundled family ``family_id``).
    family_doc: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)


class Delegation(Base):
    """One party's delegation in a room: its invitation, password hash and private inputs."""

    __tablename__ = "delegations"
    __table_args__ = (UniqueConstraint("room_id", "party", name="uq_delegations_room_party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    party: Mapped[str] = mapped_column(String(10))
    # SHA-256 of the invitation token: the token itself is shown once and never stored.
    invite_hash: Mapped[str] = mapped_column(String(HASH_LEN), unique=True)
    invite_expires_at: Mapped[datetime]
    invite_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)


class RoomRound(Base):
    """One proposal in a room: who proposed which family member (or a treaty of its own),
    and how it ended."""

    __tablename__ = "room_rounds"
    __table_args__ = (UniqueConstraint("room_id", "number", name="uq_room_rounds_room_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    number: Mapped[int]
    proposer: Mapped[str] = mapped_column(String(10))
    member_index: Mapped[int]
    member_label: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    # A delegation's own treaty (the treaty file's JSON); null for a family member.
    treaty: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)


class RoomVote(Base):
    """One delegation's accept or reject of one round (one vote per party per round)."""

    __tablename__ = "room_votes"
    __table_args__ = (UniqueConstraint("round_id", "party", name="uq_room_votes_round_party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("room_rounds.id"), index=True)
    party: Mapped[str] = mapped_column(String(10))
    accept: Mapped[bool]
    at: Mapped[datetime]


class RoomEvent(Base):
    """The append-only audit log of a room: who did what, when (never private inputs)."""

    __tablename__ = "room_events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict[str, Any]]
