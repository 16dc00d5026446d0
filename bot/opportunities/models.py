"""Tables of the opportunity catalogue (migrations/versions/0007_opportunities.py mirrors them).

- ``labour_market_regions``: a labour-market region (arbeidsmarktregio) inside one province.
- ``region_municipalities``: which municipality lies in which region, and whether it
  *cooperates* there: shares its vacancies first with the other cooperating municipalities
  (the regional internal labour market). Codes have the shape of the ledger's municipality
  codes (GM9901), so an employee's municipality from the identity model finds its region; a
  municipality may be listed here without taking part in the voucher programme, so there is
  no foreign key to ``municipalities``.
- ``opportunities`` and ``opportunity_competences``: the listings. Province and region follow
  from the offering municipality (one source of truth). The contact route is a function
  address (a P&O mailbox or an https page), checked by the database; the importer also
  refuses mailboxes that look like a person's.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.clock import utcnow
from bot.db.base import Base, UTCDateTime
from bot.ledger.catalog import REGIONS, sql_in
from bot.opportunities.catalog import (
    COMPETENCES,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    EXTERNAL_ID_MAX,
    HOURS_MAX,
    HOURS_MIN,
    MODE_ON_LOCATION,
    MODES,
    SCALE_MAX,
    SCALE_MIN,
    SOURCES,
    TITLE_MAX,
    TYPES,
    WORK_AREAS,
)

#: A function route: an https page, or a mailbox (the importer adds the "not a person" check).
CONTACT_ROUTE_SQL = (
    "contact NOT LIKE '% %' AND "
    "(contact LIKE 'https://_%._%' OR contact LIKE '_%@_%._%') "
    "AND contact NOT LIKE '%@%@%'"
)
SCALE_SQL = (
    "(scale_min IS NULL AND scale_max IS NULL) OR "
    "(scale_min IS NOT NULL AND scale_max IS NOT NULL AND "
    f"(scale_min BETWEEN {SCALE_MIN} AND {SCALE_MAX} "
    f"AND scale_max BETWEEN {SCALE_MIN} AND {SCALE_MAX} AND scale_min <= scale_max))"
)


class LabourMarketRegion(Base):
    __tablename__ = "labour_market_regions"
    __table_args__ = (
        CheckConstraint("length(code) BETWEEN 2 AND 40", name="code_length"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(f"province IN {sql_in(REGIONS)}", name="known_province"),
    )

    code = Column(String(40), primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    province = Column(String(32), nullable=False)


class RegionMunicipality(Base):
    """A municipality in a labour-market region; ``cooperating``: it shares vacancies first."""

    __tablename__ = "region_municipalities"
    __table_args__ = (
        CheckConstraint("length(code) BETWEEN 2 AND 16", name="code_length"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("ix_region_municipalities_region_code", "region_code"),
    )

    code = Column(String(16), primary_key=True)
    name = Column(String(120), nullable=False)
    region_code = Column(
        String(40), ForeignKey("labour_market_regions.code", ondelete="RESTRICT"), nullable=False
    )
    cooperating = Column(Boolean, nullable=False, default=True)

    region = relationship("LabourMarketRegion", lazy="joined")


class Opportunity(Base):
    """One listing; it disappears by itself once closed or past its dates."""

    __tablename__ = "opportunities"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_opportunities_source_external_id"),
        CheckConstraint(f"kind IN {sql_in(TYPES)}", name="known_kind"),
        CheckConstraint(f"source IN {sql_in(SOURCES)}", name="known_source"),
        CheckConstraint(f"mode IN {sql_in(MODES)}", name="known_mode"),
        CheckConstraint(
            f"work_area IS NULL OR work_area IN {sql_in(tuple(WORK_AREAS))}",
            name="known_work_area",
        ),
        CheckConstraint(
            f"length(external_id) BETWEEN 1 AND {EXTERNAL_ID_MAX}", name="external_id_length"
        ),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(
            f"length(description) BETWEEN 1 AND {DESCRIPTION_MAX}", name="description_length"
        ),
        CheckConstraint(SCALE_SQL, name="scale_range"),
        CheckConstraint(
            f"hours_per_week IS NULL OR hours_per_week BETWEEN {HOURS_MIN} AND {HOURS_MAX}",
            name="hours_range",
        ),
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on",
            name="ends_after_start",
        ),
        CheckConstraint(
            "respond_by IS NULL OR ends_on IS NULL OR respond_by <= ends_on",
            name="respond_before_end",
        ),
        CheckConstraint(CONTACT_ROUTE_SQL, name="contact_is_route"),
        CheckConstraint(
            "closed_at IS NULL OR closed_at >= published_at", name="closed_after_published"
        ),
        Index("ix_opportunities_municipality_code", "municipality_code"),
        Index("ix_opportunities_kind_published_at", "kind", "published_at"),
    )

    id = Column(Integer, primary_key=True)
    source = Column(String(16), nullable=False)
    #: The listing's id in its source (a feed's own id, a file's row id, ``dash-…``).
    external_id = Column(String(EXTERNAL_ID_MAX), nullable=False)
    kind = Column(String(16), nullable=False)
    title = Column(String(TITLE_MAX), nullable=False)
    description = Column(Text, nullable=False)
    municipality_code = Column(
        String(16), ForeignKey("region_municipalities.code", ondelete="RESTRICT"), nullable=False
    )
    mode = Column(String(16), nullable=False, default=MODE_ON_LOCATION)
    #: Town or venue, when it is not simply the offering municipality's office.
    location = Column(String(120), nullable=True)
    work_area = Column(String(24), nullable=True)
    scale_min = Column(Integer, nullable=True)
    scale_max = Column(Integer, nullable=True)
    hours_per_week = Column(Integer, nullable=True)
    #: First and last day of the work, stage, exchange, training or event.
    starts_on = Column(Date, nullable=True)
    ends_on = Column(Date, nullable=True)
    #: Last day to respond (a vacancy's closing date); the listing disappears after it.
    respond_by = Column(Date, nullable=True)
    #: A P&O mailbox or an https page: a function, never a person.
    contact = Column(String(CONTACT_MAX), nullable=False)
    published_at = Column(UTCDateTime, nullable=False)
    closed_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    municipality = relationship("RegionMunicipality", lazy="joined")
    competences = relationship(
        "OpportunityCompetence",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="OpportunityCompetence.competence",
    )


class OpportunityCompetence(Base):
    __tablename__ = "opportunity_competences"
    __table_args__ = (
        CheckConstraint(f"competence IN {sql_in(COMPETENCES)}", name="known_competence"),
    )

    opportunity_id = Column(
        Integer, ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    competence = Column(String(24), primary_key=True)
