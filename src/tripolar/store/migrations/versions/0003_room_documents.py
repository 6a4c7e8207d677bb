"""Negotiation rooms: a room's uploaded family and a delegation's own proposed treaty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    # Null for a bundled family (read from the package) and for a proposed family member.
    op.add_column("rooms", sa.Column("family_doc", _JSON, nullable=True))
    op.add_column("room_rounds", sa.Column("treaty", _JSON, nullable=True))


def downgrade() -> None:
    # SQLite drops a column only by copying the table: batch mode does that.
    with op.batch_alter_table("room_rounds") as batch:
        batch.drop_column("treaty")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("family_doc")
