"""Trend dashboard: anonymous trend events, aggregates, coordinator accounts, login failures

Revision ID: 0002_trends_dashboard
Revises: 0001_ledger_initial
Create Date: 2026-01-10

Written by hand to mirror bot/trends/models.py (tests/ledger/test_migrations.py compares
them). Trend events hold only an ISO week, a municipality, an event type and a category.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_trends_dashboard"
down_revision = "0001_ledger_initial"
branch_labels = None
depends_on = None

WEEK_CHECK = "length(week) = 8 AND substr(week, 5, 2) = '-W'"


def upgrade() -> None:
    op.create_table(
        "trend_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("municipality", sa.String(16), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.CheckConstraint(WEEK_CHECK, name=op.f("ck_trend_events_week_shape")),
        sa.CheckConstraint("length(event_type) > 0", name=op.f("ck_trend_events_type_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_events")),
    )
    op.create_index("ix_trend_events_week_type", "trend_events", ["week", "event_type"])
    op.create_table(
        "trend_aggregates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("municipality", sa.String(16), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(WEEK_CHECK, name=op.f("ck_trend_aggregates_week_shape")),
        sa.CheckConstraint("count > 0", name=op.f("ck_trend_aggregates_count_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_aggregates")),
        sa.UniqueConstraint(
            "week", "municipality", "event_type", "category", name="uq_trend_aggregates_cell"
        ),
    )
    op.create_table(
        "dashboard_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("municipality", sa.String(16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('municipal', 'programme')", name=op.f("ck_dashboard_accounts_known_role")
        ),
        sa.CheckConstraint(
            "(role = 'municipal') = (municipality IS NOT NULL)",
            name=op.f("ck_dashboard_accounts_municipality_for_municipal_role"),
        ),
        sa.CheckConstraint(
            "length(username) BETWEEN 3 AND 80", name=op.f("ck_dashboard_accounts_username_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_dashboard_accounts_username")),
    )
    op.create_table(
        "dashboard_login_failures",
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_dashboard_login_failures")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_login_failures")
    op.drop_table("dashboard_accounts")
    op.drop_table("trend_aggregates")
    op.drop_index("ix_trend_events_week_type", table_name="trend_events")
    op.drop_table("trend_events")
