"""Booking owners and booking quotas (issue 14, "Empty the coach agenda")

Revision ID: 0005_booking_owner
Revises: 0004_dashboard_sessions
Create Date: 2026-12-01

Mirrors bot/ledger/models.py (tests/ledger/test_migrations.py compares them).

- ``bookings`` gets its owner: the pseudonymous conversation key and, when verified, the
  employee key (never a raw id), plus ``active_owner`` with a partial unique index, so one
  owner holds at most one active booking whatever the application does. Existing bookings
  keep NULL owners (the code alone decides for them, as before).
- ``booking_quota``: booking changes used per key and hour, shared by all instances.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_booking_owner"
down_revision = "0004_dashboard_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("owner_conversation", sa.String(64), nullable=True))
    op.add_column("bookings", sa.Column("owner_employee", sa.String(128), nullable=True))
    op.add_column("bookings", sa.Column("active_owner", sa.String(140), nullable=True))
    op.create_index(
        "uq_bookings_active_owner",
        "bookings",
        ["active_owner"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_bookings_owner_conversation", "bookings", ["owner_conversation"])
    op.create_index("ix_bookings_owner_employee", "bookings", ["owner_employee"])
    op.create_table(
        "booking_quota",
        sa.Column("key", sa.String(140), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_booking_quota_used_not_negative")),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_booking_quota")),
    )
    op.create_index("ix_booking_quota_window_start", "booking_quota", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_booking_quota_window_start", table_name="booking_quota")
    op.drop_table("booking_quota")
    op.drop_index("ix_bookings_owner_employee", table_name="bookings")
    op.drop_index("ix_bookings_owner_conversation", table_name="bookings")
    op.drop_index("uq_bookings_active_owner", table_name="bookings")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): recreating the table would fire
    # the outbox's ON DELETE SET NULL.
    for column in ("active_owner", "owner_employee", "owner_conversation"):
        op.drop_column("bookings", column)
