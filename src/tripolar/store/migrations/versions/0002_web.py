"""The web app: evaluation cache and negotiation rooms (rooms, delegations, rounds, votes,
audit log).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported, as in 0001.
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_HASH = sa.String(64)
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evaluation_cache",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", _HASH, nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column("result", _JSON, nullable=False),
        sa.UniqueConstraint("key", name="uq_evaluation_cache_key"),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("family_id", sa.String(200), nullable=False),
        sa.Column("facilitator_hash", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("agreement", _JSON, nullable=True),
        sa.UniqueConstraint("public_id", name="uq_rooms_public_id"),
    )
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("invite_hash", _HASH, nullable=False),
        sa.Column("invite_expires_at", _TIMESTAMP, nullable=False),
        sa.Column("invite_used_at", _TIMESTAMP, nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("inputs", _JSON, nullable=True),
        sa.UniqueConstraint("room_id", "party", name="uq_delegations_room_party"),
        sa.UniqueConstraint("invite_hash", name="uq_delegations_invite_hash"),
    )
    op.create_index("ix_delegations_room_id", "delegations", ["room_id"])
    op.create_table(
        "room_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("proposer", sa.String(10), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("member_label", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.UniqueConstraint("room_id", "number", name="uq_room_rounds_room_number"),
    )
    op.create_index("ix_room_rounds_room_id", "room_rounds", ["room_id"])
    op.create_table(
        "room_votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("room_rounds.id"), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("accept", sa.Boolean(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.UniqueConstraint("round_id", "party", name="uq_room_votes_round_party"),
    )
    op.create_index("ix_room_votes_round_id", "room_votes", ["round_id"])
    op.create_table(
        "room_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(50), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("detail", _JSON, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_room_events_room_id", "room_events", ["room_id"])


def downgrade() -> None:
    for table in ("room_events", "room_votes", "room_rounds", "delegations", "rooms"):
        op.drop_table(table)
    op.drop_table("evaluation_cache")
