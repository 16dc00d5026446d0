"""Dashboard sessions held server-side and login throttling per client and account (issue 14)

Revision ID: 0004_dashboard_sessions
Revises: 0003_preparation_sheets
Create Date: 2026-12-01

Mirrors bot/trends/models.py (tests/ledger/test_migrations.py compares them).

- ``dashboard_sessions``: one row per logged-in browser, keyed by the SHA-256 of the session
  token (the token itself is only in the cookie), so logout, disabling an account and a new
  password end sessions at once.
- ``dashboard_login_throttle`` replaces ``dashboard_login_failures``: failure counters per
  scope (a client, an account, or an account from one client), keyed by a keyed hash, never a
  raw address or user name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_dashboard_sessions"
down_revision = "0003_preparation_sheets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_dashboard_sessions_expires_after_creation")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["dashboard_accounts.id"],
            name=op.f("fk_dashboard_sessions_account_id_dashboard_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_dashboard_sessions")),
    )
    op.create_index("ix_dashboard_sessions_account_id", "dashboard_sessions", ["account_id"])
    op.create_index("ix_dashboard_sessions_expires_at", "dashboard_sessions", ["expires_at"])
    op.create_table(
        "dashboard_login_throttle",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scope IN ('client', 'account', 'pair')",
            name=op.f("ck_dashboard_login_throttle_known_scope"),
        ),
        sa.CheckConstraint(
            "failures >= 0", name=op.f("ck_dashboard_login_throttle_failures_not_negative")
        ),
        sa.PrimaryKeyConstraint("scope", "key_hash", name=op.f("pk_dashboard_login_throttle")),
    )
    op.drop_table("dashboard_login_failures")


def downgrade() -> None:
    op.create_table(
        "dashboard_login_failures",
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_dashboard_login_failures")),
    )
    op.drop_table("dashboard_login_throttle")
    op.drop_index("ix_dashboard_sessions_expires_at", table_name="dashboard_sessions")
    op.drop_index("ix_dashboard_sessions_account_id", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
