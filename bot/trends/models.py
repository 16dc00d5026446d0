"""Tables of the trend dashboard (migration ``0002_trends_dashboard`` mirrors them).

- ``trend_events``: one row per anonymous event: ISO week, municipality, type, category.
  Deliberately no timestamp, no conversation or sender id and no text.
- ``trend_aggregates``: counts per (week, municipality, type, category) for events older
  than the retention horizon; the events themselves are deleted then.
- ``dashboard_accounts``: coordinator logins (argon2 hashes).
- ``dashboard_sessions`` (migration ``0004_dashboard_sessions``): logged-in browsers, held
  server-side by the hash of their token, so a session can be ended at once.
- ``dashboard_login_throttle``: failed-login counters per client, per account and per account
  from one client, keyed by a keyed hash (never a raw address or user name).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)

from bot.clock import utcnow
from bot.db.base import Base, UTCDateTime

WEEK_CHECK = "length(week) = 8 AND substr(week, 5, 2) = '-W'"
ROLE_MUNICIPAL = "municipal"
ROLE_PROGRAMME = "programme"
ROLES: tuple[str, ...] = (ROLE_MUNICIPAL, ROLE_PROGRAMME)


class TrendEvent(Base):
    __tablename__ = "trend_events"
    __table_args__ = (
        CheckConstraint(WEEK_CHECK, name="week_shape"),
        CheckConstraint("length(event_type) > 0", name="type_not_empty"),
        Index("ix_trend_events_week_type", "week", "event_type"),
    )

    id = Column(Integer, primary_key=True)
    #: ISO week, e.g. "2026-W48"
    week = Column(String(8), nullable=False)
    municipality = Column(String(16), nullable=False)
    event_type = Column(String(40), nullable=False)
    category = Column(String(64), nullable=False)


class TrendAggregate(Base):
    __tablename__ = "trend_aggregates"
    __table_args__ = (
        UniqueConstraint(
            "week", "municipality", "event_type", "category", name="uq_trend_aggregates_cell"
        ),
        CheckConstraint(WEEK_CHECK, name="week_shape"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id = Column(Integer, primary_key=True)
    week = Column(String(8), nullable=False)
    municipality = Column(String(16), nullable=False)
    event_type = Column(String(40), nullable=False)
    category = Column(String(64), nullable=False)
    count = Column(Integer, nullable=False)


class DashboardAccount(Base):
    __tablename__ = "dashboard_accounts"
    __table_args__ = (
        CheckConstraint(f"role IN ('{ROLE_MUNICIPAL}', '{ROLE_PROGRAMME}')", name="known_role"),
        CheckConstraint(
            f"(role = '{ROLE_MUNICIPAL}') = (municipality IS NOT NULL)",
            name="municipality_for_municipal_role",
        ),
        CheckConstraint("length(username) BETWEEN 3 AND 80", name="username_length"),
    )

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    #: Only for municipal coordinators: the one municipality they may see.
    municipality = Column(String(16), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    #: Raised on disabling or a new password: older session cookies stop working.
    session_version = Column(Integer, nullable=False, default=1)


THROTTLE_CLIENT = "client"
THROTTLE_ACCOUNT = "account"
THROTTLE_PAIR = "pair"


class DashboardSession(Base):
    """One logged-in browser; only the SHA-256 of its token is stored, never the token."""

    __tablename__ = "dashboard_sessions"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("ix_dashboard_sessions_account_id", "account_id"),
        Index("ix_dashboard_sessions_expires_at", "expires_at"),
    )

    token_hash = Column(String(64), primary_key=True)
    account_id = Column(
        Integer, ForeignKey("dashboard_accounts.id", ondelete="CASCADE"), nullable=False
    )
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


class DashboardLoginThrottle(Base):
    """Failed logins per scope (client, account, or account from one client).

    ``key_hash`` is an HMAC of the client address and/or user name, so the table holds no
    address and no name. Counters change only by single conditional UPDATEs (see accounts).
    """

    __tablename__ = "dashboard_login_throttle"
    __table_args__ = (
        CheckConstraint(
            f"scope IN ('{THROTTLE_CLIENT}', '{THROTTLE_ACCOUNT}', '{THROTTLE_PAIR}')",
            name="known_scope",
        ),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
    )

    scope = Column(String(8), primary_key=True)
    key_hash = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    first_failure_at = Column(UTCDateTime, nullable=False)
    locked_until = Column(UTCDateTime, nullable=True)
