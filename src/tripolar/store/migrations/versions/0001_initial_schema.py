"""Initial schema: dataset editions, treaties, postures and runs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported, so this revision keeps meaning what it meant
# when later revisions change the models.
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_HASH = sa.String(64)
# Stored as UTC; tripolar.store.models.UTCDateTime converts on the way in and out.
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dataset_editions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("content_hash", _HASH, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("files", _JSON, nullable=False),
        sa.UniqueConstraint("content_hash", name="uq_dataset_editions_content_hash"),
    )
    op.create_table(
        "treaties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("treaty_id", sa.String(200), nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("saved_at", _TIMESTAMP, nullable=False),
        sa.UniqueConstraint("treaty_id", "content_hash", name="uq_treaties_id_hash"),
    )
    op.create_index("ix_treaties_treaty_id", "treaties", ["treaty_id"])
    op.create_table(
        "postures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("party", sa.String(50), nullable=False),
        sa.Column("as_of", sa.String(40), nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("saved_at", _TIMESTAMP, nullable=False),
        sa.UniqueConstraint("party", "as_of", "content_hash", name="uq_postures_party_as_of_hash"),
    )
    op.create_index("ix_postures_content_hash", "postures", ["content_hash"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("command", sa.String(100), nullable=False),
        sa.Column("tool_version", sa.String(50), nullable=False),
        sa.Column("started_at", _TIMESTAMP, nullable=False),
        sa.Column("finished_at", _TIMESTAMP, nullable=False),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column("inputs_hash", _HASH, nullable=False),
        sa.Column("dataset_hash", _HASH, nullable=True),
        sa.Column("outputs", _JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_runs_command", "runs", ["command"])
    op.create_index("ix_runs_inputs_hash", "runs", ["inputs_hash"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("postures")
    op.drop_table("treaties")
    op.drop_table("dataset_editions")
