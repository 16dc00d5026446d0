"""Preparation sheets behind expiring links (issue 5)

Revision ID: 0003_preparation_sheets
Revises: 0002_trends_dashboard
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_preparation_sheets"
down_revision = "0002_trends_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preparation_sheets",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name="ck_preparation_sheets_expires_after_creation"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_preparation_sheets"),
    )
    op.create_index(
        "ix_preparation_sheets_conversation_id", "preparation_sheets", ["conversation_id"]
    )
    op.create_index("ix_preparation_sheets_expires_at", "preparation_sheets", ["expires_at"])


def downgrade() -> None:
    op.drop_table("preparation_sheets")
