"""Opportunities in the region (issue 17): the catalogue

Revision ID: 0007_opportunities
Revises: 0006_outbox_retry
Create Date: 2026-12-03

Mirrors the models (tests/ledger/test_migrations.py compares them): bot/opportunities/models.py.

- ``labour_market_regions`` and ``region_municipalities``: which municipalities cooperate in
  which labour-market region (vacancies are shared there first, province-wide later).
- ``opportunities`` and ``opportunity_competences``: vacancies, meeloopstages, exchanges,
  shared trainings and regional events, with a function contact route checked by the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_opportunities"
down_revision = "0006_outbox_retry"
branch_labels = None
depends_on = None

# Literal copies (a migration must not change when the code's vocabularies change later).
PROVINCES = (
    "'Groningen', 'Fryslân', 'Drenthe', 'Overijssel', 'Flevoland', 'Gelderland', 'Utrecht', "
    "'Noord-Holland', 'Zuid-Holland', 'Zeeland', 'Noord-Brabant', 'Limburg'"
)
KINDS = "'vacature', 'meeloopstage', 'uitwisseling', 'training', 'bijeenkomst'"
SOURCES = "'import', 'feed', 'dashboard'"
MODES = "'on_location', 'online', 'hybrid'"
WORK_AREAS = (
    "'burgerzaken', 'dienstverlening', 'informatie', 'buitendienst', 'sociaal_domein', "
    "'ruimte', 'financien', 'ict', 'communicatie', 'personeel', 'bedrijfsvoering'"
)
COMPETENCES = (
    "'contact', 'nauwkeurig', 'oplossen', 'verbeteren', 'organiseren', 'digitaal', 'flexibel'"
)
CONTACT_ROUTE = (
    "contact NOT LIKE '% %' AND "
    "(contact LIKE 'https://_%._%' OR contact LIKE '_%@_%._%') "
    "AND contact NOT LIKE '%@%@%'"
)
SCALE = (
    "(scale_min IS NULL AND scale_max IS NULL) OR "
    "(scale_min IS NOT NULL AND scale_max IS NOT NULL AND "
    "(scale_min BETWEEN 1 AND 18 AND scale_max BETWEEN 1 AND 18 AND scale_min <= scale_max))"
)


def upgrade() -> None:
    op.create_table(
        "labour_market_regions",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.CheckConstraint(
            "length(code) BETWEEN 2 AND 40", name="ck_labour_market_regions_code_length"
        ),
        sa.CheckConstraint("length(name) > 0", name="ck_labour_market_regions_name_not_empty"),
        sa.CheckConstraint(
            f"province IN ({PROVINCES})", name="ck_labour_market_regions_known_province"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_labour_market_regions"),
        sa.UniqueConstraint("name", name="uq_labour_market_regions_name"),
    )
    op.create_table(
        "region_municipalities",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("region_code", sa.String(40), nullable=False),
        sa.Column("cooperating", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "length(code) BETWEEN 2 AND 16", name="ck_region_municipalities_code_length"
        ),
        sa.CheckConstraint("length(name) > 0", name="ck_region_municipalities_name_not_empty"),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["labour_market_regions.code"],
            name="fk_region_municipalities_region_code_labour_market_regions",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name="pk_region_municipalities"),
    )
    op.create_index(
        "ix_region_municipalities_region_code", "region_municipalities", ["region_code"]
    )
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("municipality_code", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("location", sa.String(120), nullable=True),
        sa.Column("work_area", sa.String(24), nullable=True),
        sa.Column("scale_min", sa.Integer(), nullable=True),
        sa.Column("scale_max", sa.Integer(), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(254), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="ck_opportunities_known_kind"),
        sa.CheckConstraint(f"source IN ({SOURCES})", name="ck_opportunities_known_source"),
        sa.CheckConstraint(f"mode IN ({MODES})", name="ck_opportunities_known_mode"),
        sa.CheckConstraint(
            f"work_area IS NULL OR work_area IN ({WORK_AREAS})",
            name="ck_opportunities_known_work_area",
        ),
        sa.CheckConstraint(
            "length(external_id) BETWEEN 1 AND 80", name="ck_opportunities_external_id_length"
        ),
        sa.CheckConstraint("length(title) > 0", name="ck_opportunities_title_not_empty"),
        sa.CheckConstraint(
            "length(description) BETWEEN 1 AND 1000", name="ck_opportunities_description_length"
        ),
        sa.CheckConstraint(SCALE, name="ck_opportunities_scale_range"),
        sa.CheckConstraint(
            "hours_per_week IS NULL OR hours_per_week BETWEEN 1 AND 40",
            name="ck_opportunities_hours_range",
        ),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on",
            name="ck_opportunities_ends_after_start",
        ),
        sa.CheckConstraint(
            "respond_by IS NULL OR ends_on IS NULL OR respond_by <= ends_on",
            name="ck_opportunities_respond_before_end",
        ),
        sa.CheckConstraint(CONTACT_ROUTE, name="ck_opportunities_contact_is_route"),
        sa.CheckConstraint(
            "closed_at IS NULL OR closed_at >= published_at",
            name="ck_opportunities_closed_after_published",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["region_municipalities.code"],
            name="fk_opportunities_municipality_code_region_municipalities",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_opportunities"),
        sa.UniqueConstraint("source", "external_id", name="uq_opportunities_source_external_id"),
    )
    op.create_index("ix_opportunities_municipality_code", "opportunities", ["municipality_code"])
    op.create_index("ix_opportunities_kind_published_at", "opportunities", ["kind", "published_at"])
    op.create_table(
        "opportunity_competences",
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("competence", sa.String(24), nullable=False),
        sa.CheckConstraint(
            f"competence IN ({COMPETENCES})", name="ck_opportunity_competences_known_competence"
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name="fk_opportunity_competences_opportunity_id_opportunities",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", "competence", name="pk_opportunity_competences"),
    )


def downgrade() -> None:
    op.drop_table("opportunity_competences")
    op.drop_table("opportunities")
    op.drop_table("region_municipalities")
    op.drop_table("labour_market_regions")
