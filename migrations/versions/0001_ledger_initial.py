"""Ledger: municipalities, providers, coaches, slots, bookings, workshops, vouchers, audit, outbox

Revision ID: 0001_ledger_initial
Revises:
Create Date: 2024-11-23

Written by hand to mirror bot/ledger/models.py (tests/ledger/test_migrations.py compares
them). Constraint names follow the models' naming convention. The value lists of the CHECK
constraints are copied here on purpose: a migration must not change when the code does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger_initial"
down_revision = None
branch_labels = None
depends_on = None

REGIONS = (
    "'Groningen', 'Fryslân', 'Drenthe', 'Overijssel', 'Flevoland', 'Gelderland', 'Utrecht', "
    "'Noord-Holland', 'Zuid-Holland', 'Zeeland', 'Noord-Brabant', 'Limburg'"
)
THEMES = "'talenten', 'gesprek', 'presenteren', 'financien', 'digitalisering'"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("participating", sa.Boolean(), nullable=False),
        sa.Column("programme_year", sa.Integer(), nullable=False),
        sa.Column("voucher_value_cents", sa.Integer(), nullable=False),
        sa.Column("voucher_budget_cents", sa.Integer(), nullable=False),
        sa.Column("budget_committed_cents", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_municipalities"),
        sa.UniqueConstraint("code", name="uq_municipalities_code"),
        sa.CheckConstraint(
            "length(code) BETWEEN 2 AND 16", name=op.f("ck_municipalities_code_length")
        ),
        sa.CheckConstraint(
            "programme_year BETWEEN 2019 AND 2100",
            name=op.f("ck_municipalities_programme_year_range"),
        ),
        sa.CheckConstraint(
            "voucher_value_cents > 0", name=op.f("ck_municipalities_voucher_value_positive")
        ),
        sa.CheckConstraint(
            "voucher_budget_cents >= 0", name=op.f("ck_municipalities_budget_not_negative")
        ),
        sa.CheckConstraint(
            "budget_committed_cents >= 0 AND budget_committed_cents <= voucher_budget_cents",
            name=op.f("ck_municipalities_budget_within_limit"),
        ),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("api_key_hash", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("key_rotated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_providers"),
        sa.UniqueConstraint("name", name="uq_providers_name"),
        sa.UniqueConstraint("api_key_hash", name="uq_providers_api_key_hash"),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_providers_name_not_empty")),
    )
    op.create_table(
        "coaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("on_location", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_coaches"),
        sa.UniqueConstraint("email", name="uq_coaches_email"),
        sa.CheckConstraint("online OR on_location", name=op.f("ck_coaches_has_a_mode")),
        sa.CheckConstraint("email LIKE '%_@_%'", name=op.f("ck_coaches_email_shape")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_coaches_name_not_empty")),
    )
    op.create_table(
        "coach_regions",
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("coach_id", "region", name="pk_coach_regions"),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name="fk_coach_regions_coach_id_coaches",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(f"region IN ({REGIONS})", name=op.f("ck_coach_regions_known_region")),
    )
    op.create_table(
        "coach_specialties",
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("specialty", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("coach_id", "specialty", name="pk_coach_specialties"),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name="fk_coach_specialties_coach_id_coaches",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("length(specialty) > 0", name=op.f("ck_coach_specialties_not_empty")),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slots"),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], name="fk_slots_coach_id_coaches", ondelete="RESTRICT"
        ),
        sa.UniqueConstraint("coach_id", "starts_at", name="uq_slots_coach_start"),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slots_ends_after_start")),
        sa.CheckConstraint(
            "mode IN ('online', 'on_location', 'either')", name=op.f("ck_slots_known_mode")
        ),
        sa.CheckConstraint(
            "status IN ('free', 'booked', 'blocked')", name=op.f("ck_slots_known_status")
        ),
    )
    op.create_index("ix_slots_status_starts_at", "slots", ["status", "starts_at"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ics_token", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        _ts("email_delete_after", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("cancelled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name="fk_bookings_slot_id_slots", ondelete="RESTRICT"
        ),
        sa.UniqueConstraint("code", name="uq_bookings_code"),
        sa.UniqueConstraint("ics_token", name="uq_bookings_ics_token"),
        sa.CheckConstraint(
            "mode IN ('online', 'on_location')", name=op.f("ck_bookings_known_mode")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'cancelled')", name=op.f("ck_bookings_known_status")
        ),
        sa.CheckConstraint(f"region IN ({REGIONS})", name=op.f("ck_bookings_known_region")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_bookings_sequence_not_negative")),
        sa.CheckConstraint(
            "email IS NULL OR email_delete_after IS NOT NULL",
            name=op.f("ck_bookings_email_has_deadline"),
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_bookings_cancelled_at_set"),
        ),
    )
    op.create_index(
        "uq_bookings_active_slot",
        "bookings",
        ["slot_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("title", sa.String(160), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workshops"),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name="fk_workshops_provider_id_providers",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("provider_id", "theme", "starts_at", name="uq_workshops_date"),
        sa.CheckConstraint(f"theme IN ({THEMES})", name=op.f("ck_workshops_known_theme")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_workshops_ends_after_start")),
        sa.CheckConstraint("places > 0", name=op.f("ck_workshops_places_positive")),
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("employee_key", sa.String(128), nullable=False),
        sa.Column("programme_year", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("issued_at"),
        _ts("expires_at"),
        _ts("redeemed_at", nullable=True),
        sa.Column("redeemed_by_provider_id", sa.Integer(), nullable=True),
        sa.Column("redeemed_reference", sa.String(100), nullable=True),
        _ts("status_changed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vouchers"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name="fk_vouchers_municipality_id_municipalities",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_by_provider_id"],
            ["providers.id"],
            name="fk_vouchers_redeemed_by_provider_id_providers",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("code", name="uq_vouchers_code"),
        sa.CheckConstraint(
            "status IN ('issued', 'redeemed', 'expired', 'cancelled')",
            name=op.f("ck_vouchers_known_status"),
        ),
        sa.CheckConstraint(
            "purpose IN ('workshop_or_coach', 'workshop', 'coach')",
            name=op.f("ck_vouchers_known_purpose"),
        ),
        sa.CheckConstraint("value_cents > 0", name=op.f("ck_vouchers_value_positive")),
        sa.CheckConstraint("expires_at > issued_at", name=op.f("ck_vouchers_expires_after_issue")),
        sa.CheckConstraint(
            "length(employee_key) >= 8", name=op.f("ck_vouchers_employee_key_length")
        ),
        sa.CheckConstraint(
            "(status = 'redeemed') = "
            "(redeemed_at IS NOT NULL AND redeemed_by_provider_id IS NOT NULL)",
            name=op.f("ck_vouchers_redeemed_fields"),
        ),
    )
    op.create_index(
        "uq_vouchers_employee_year",
        "vouchers",
        ["municipality_id", "employee_key", "programme_year"],
        unique=True,
        sqlite_where=sa.text("status <> 'cancelled'"),
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("claimed_at", nullable=True),
        _ts("sent_at", nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        _ts("purge_after", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name="fk_outbox_booking_id_bookings",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')",
            name=op.f("ck_outbox_known_status"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
    )
    op.create_index("ix_outbox_status_created_at", "outbox", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status_created_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("uq_vouchers_employee_year", table_name="vouchers")
    op.drop_table("vouchers")
    op.drop_table("workshops")
    op.drop_index("uq_bookings_active_slot", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_slots_status_starts_at", table_name="slots")
    op.drop_table("slots")
    op.drop_table("coach_specialties")
    op.drop_table("coach_regions")
    op.drop_table("coaches")
    op.drop_table("providers")
    op.drop_table("municipalities")
