"""Workshop events, sessions, sign-ups and waiting lists (issue 17)

Revision ID: 0008_workshop_signups
Revises: 0007_opportunities
Create Date: 2026-12-03

Mirrors the models (tests/ledger/test_migrations.py compares them).

- ``workshop_events``: a "Tap de toekomst" evening (province, venue, town, date).
- ``workshops`` becomes a session of an event (nullable ``event_id``; workshops without an
  event stay as they are) and counts its taken seats in ``seats_taken``, which a CHECK keeps
  within ``places``: capacity cannot be exceeded by any writer.
- ``vouchers.status`` may be ``reserved``: held by a sign-up, usable for nothing else.
- ``workshop_signups``: the seat or waiting-list place of an employee (pseudonymous key
  only), one live sign-up per voucher (partial unique index), ordered by ``queue_number``.

On SQLite the two changed tables are rebuilt by Alembic's batch mode (nothing references
them yet at that point). The value lists are copied on purpose: a migration must not change
when the code does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_workshop_signups"
down_revision = "0007_opportunities"
branch_labels = None
depends_on = None

REGIONS = (
    "'Groningen', 'Fryslân', 'Drenthe', 'Overijssel', 'Flevoland', 'Gelderland', 'Utrecht', "
    "'Noord-Holland', 'Zuid-Holland', 'Zeeland', 'Noord-Brabant', 'Limburg'"
)
OLD_VOUCHER_STATUSES = "'issued', 'redeemed', 'expired', 'cancelled'"
NEW_VOUCHER_STATUSES = "'issued', 'redeemed', 'expired', 'cancelled', 'reserved'"
SIGNUP_STATUSES = "'reserved', 'waiting', 'cancelled', 'attended', 'no_show'"
LIVE = "status IN ('reserved', 'waiting')"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _voucher_statuses(values: str) -> None:
    with op.batch_alter_table("vouchers") as batch:
        batch.drop_constraint(op.f("ck_vouchers_known_status"), type_="check")
        batch.create_check_constraint(op.f("ck_vouchers_known_status"), f"status IN ({values})")


def upgrade() -> None:
    op.create_table(
        "workshop_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("venue_name", sa.String(160), nullable=False),
        sa.Column("town", sa.String(120), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_workshop_events"),
        sa.UniqueConstraint("name", "event_date", name="uq_workshop_events_name_date"),
        sa.CheckConstraint(f"region IN ({REGIONS})", name=op.f("ck_workshop_events_known_region")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_workshop_events_name_not_empty")),
        sa.CheckConstraint(
            "length(venue_name) > 0 AND length(town) > 0",
            name=op.f("ck_workshop_events_venue_not_empty"),
        ),
    )
    op.create_index("ix_workshop_events_region_date", "workshop_events", ["region", "event_date"])

    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("seats_taken", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.create_foreign_key(
            "fk_workshops_event_id_workshop_events",
            "workshop_events",
            ["event_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_check_constraint(
            op.f("ck_workshops_seats_within_places"), "seats_taken >= 0 AND seats_taken <= places"
        )
    op.create_index("ix_workshops_event_id", "workshops", ["event_id"])

    _voucher_statuses(NEW_VOUCHER_STATUSES)

    op.create_table(
        "workshop_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("employee_key", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=False),
        sa.Column("notice_pending", sa.Boolean(), nullable=False),
        sa.Column("ics_token", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("promoted_at", nullable=True),
        _ts("cancelled_at", nullable=True),
        _ts("attended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_workshop_signups"),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name="fk_workshop_signups_workshop_id_workshops",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name="fk_workshop_signups_voucher_id_vouchers",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name="fk_workshop_signups_municipality_id_municipalities",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("code", name="uq_workshop_signups_code"),
        sa.UniqueConstraint("ics_token", name="uq_workshop_signups_ics_token"),
        sa.UniqueConstraint("workshop_id", "queue_number", name="uq_workshop_signups_queue"),
        sa.CheckConstraint(
            f"status IN ({SIGNUP_STATUSES})", name=op.f("ck_workshop_signups_known_status")
        ),
        sa.CheckConstraint(
            "length(employee_key) >= 8", name=op.f("ck_workshop_signups_employee_key_length")
        ),
        sa.CheckConstraint(
            "queue_number >= 1", name=op.f("ck_workshop_signups_queue_number_positive")
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_workshop_signups_sequence_not_negative")),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_workshop_signups_cancelled_at_set"),
        ),
        sa.CheckConstraint(
            "(status = 'attended') = (attended_at IS NOT NULL)",
            name=op.f("ck_workshop_signups_attended_at_set"),
        ),
        sa.CheckConstraint(
            "NOT notice_pending OR status = 'reserved'",
            name=op.f("ck_workshop_signups_notice_only_reserved"),
        ),
    )
    op.create_index(
        "uq_workshop_signups_live_voucher",
        "workshop_signups",
        ["voucher_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "ix_workshop_signups_workshop_status",
        "workshop_signups",
        ["workshop_id", "status", "queue_number"],
    )
    op.create_index("ix_workshop_signups_employee_key", "workshop_signups", ["employee_key"])


def downgrade() -> None:
    op.drop_index("ix_workshop_signups_employee_key", table_name="workshop_signups")
    op.drop_index("ix_workshop_signups_workshop_status", table_name="workshop_signups")
    op.drop_index("uq_workshop_signups_live_voucher", table_name="workshop_signups")
    op.drop_table("workshop_signups")
    # Without sign-ups nothing holds a voucher any more: reserved ones are unused again.
    op.execute("UPDATE vouchers SET status = 'issued' WHERE status = 'reserved'")
    _voucher_statuses(OLD_VOUCHER_STATUSES)
    op.drop_index("ix_workshops_event_id", table_name="workshops")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_constraint(op.f("ck_workshops_seats_within_places"), type_="check")
        batch.drop_constraint("fk_workshops_event_id_workshop_events", type_="foreignkey")
        batch.drop_column("seats_taken")
        batch.drop_column("event_id")
    op.drop_index("ix_workshop_events_region_date", table_name="workshop_events")
    op.drop_table("workshop_events")
