"""Outbox retries with backoff (issue 19, "Mail after the fact")

Revision ID: 0006_outbox_retry
Revises: 0005_booking_owner
Create Date: 2026-12-01

Mirrors bot/ledger/models.py (tests/ledger/test_migrations.py compares them).

- ``outbox.next_attempt_at``: a message that failed waits until this moment before the
  outbox sender (``python -m bot.notify.sender``) tries again; NULL means "as soon as
  possible", so messages queued before this migration are sent as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_retry"
down_revision = "0005_booking_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), as in 0005.
    op.drop_column("outbox", "next_attempt_at")
