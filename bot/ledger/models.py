"""SQLAlchemy models of the ledger (the migration in ``migrations/versions`` mirrors them).

Rules that protect money and appointments are constraints in the database, so they hold for
every writer (action server, web app, CLI) and under concurrency: unique codes, one active
booking per slot, one live voucher per employee per programme year, a budget that cannot go
negative, and status columns limited to known values. Timestamps are stored in UTC and come
back timezone-aware on SQLite too.
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
    text,
)
from sqlalchemy.orm import relationship

from bot.clock import utcnow
from bot.db.base import Base, UTCDateTime
from bot.ledger.catalog import (
    BOOKING_ACTIVE,
    BOOKING_MODES,
    BOOKING_STATUSES,
    REGIONS,
    SIGNUP_ATTENDED,
    SIGNUP_CANCELLED,
    SIGNUP_LIVE,
    SIGNUP_RESERVED,
    SIGNUP_STATUSES,
    SIGNUP_WAITING,
    SLOT_FREE,
    SLOT_MODES,
    SLOT_STATUSES,
    VOUCHER_CANCELLED,
    VOUCHER_ISSUED,
    VOUCHER_PURPOSE_ANY,
    VOUCHER_PURPOSES,
    VOUCHER_STATUSES,
    WORKSHOP_THEMES,
    sql_in,
)


class Municipality(Base):
    __tablename__ = "municipalities"
    __table_args__ = (
        CheckConstraint("length(code) BETWEEN 2 AND 16", name="code_length"),
        CheckConstraint("programme_year BETWEEN 2019 AND 2100", name="programme_year_range"),
        CheckConstraint("voucher_value_cents > 0", name="voucher_value_positive"),
        CheckConstraint("voucher_budget_cents >= 0", name="budget_not_negative"),
        CheckConstraint(
            "budget_committed_cents >= 0 AND budget_committed_cents <= voucher_budget_cents",
            name="budget_within_limit",
        ),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(16), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    participating = Column(Boolean, nullable=False, default=True)
    programme_year = Column(Integer, nullable=False)
    voucher_value_cents = Column(Integer, nullable=False)
    voucher_budget_cents = Column(Integer, nullable=False)
    budget_committed_cents = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Provider(Base):
    """A workshop or coaching provider that redeems vouchers through the API."""

    __tablename__ = "providers"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    #: SHA-256 of the API key; the key itself is shown once and never stored.
    api_key_hash = Column(String(64), nullable=True, unique=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    key_rotated_at = Column(UTCDateTime, nullable=True)


class Coach(Base):
    __tablename__ = "coaches"
    __table_args__ = (
        CheckConstraint("online OR on_location", name="has_a_mode"),
        CheckConstraint("email LIKE '%_@_%'", name="email_shape"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False, unique=True)
    online = Column(Boolean, nullable=False, default=True)
    on_location = Column(Boolean, nullable=False, default=False)
    #: Where on-location conversations take place (shown in the confirmation).
    location = Column(String(200), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    regions = relationship(
        "CoachRegion", cascade="all, delete-orphan", lazy="selectin", order_by="CoachRegion.region"
    )
    specialties = relationship(
        "CoachSpecialty",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CoachSpecialty.specialty",
    )


class CoachRegion(Base):
    __tablename__ = "coach_regions"
    __table_args__ = (CheckConstraint(f"region IN {sql_in(REGIONS)}", name="known_region"),)

    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True)
    region = Column(String(32), primary_key=True)


class CoachSpecialty(Base):
    __tablename__ = "coach_specialties"
    __table_args__ = (CheckConstraint("length(specialty) > 0", name="not_empty"),)

    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True)
    specialty = Column(String(80), primary_key=True)


class Slot(Base):
    """A free (or booked, or blocked) time of a coach."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("coach_id", "starts_at", name="uq_slots_coach_start"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"mode IN {sql_in(SLOT_MODES)}", name="known_mode"),
        CheckConstraint(f"status IN {sql_in(SLOT_STATUSES)}", name="known_status"),
        Index("ix_slots_status_starts_at", "status", "starts_at"),
    )

    id = Column(Integer, primary_key=True)
    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="RESTRICT"), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)
    mode = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default=SLOT_FREE)

    coach = relationship("Coach", lazy="joined")


class Booking(Base):
    """A booked career conversation; the code lets the employee change or cancel it."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(f"mode IN {sql_in(BOOKING_MODES)}", name="known_mode"),
        CheckConstraint(f"status IN {sql_in(BOOKING_STATUSES)}", name="known_status"),
        CheckConstraint(f"region IN {sql_in(REGIONS)}", name="known_region"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            "email IS NULL OR email_delete_after IS NOT NULL", name="email_has_deadline"
        ),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_at_set"
        ),
        # At most one active booking per slot, whatever the application does.
        Index(
            "uq_bookings_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text(f"status = '{BOOKING_ACTIVE}'"),
            postgresql_where=text(f"status = '{BOOKING_ACTIVE}'"),
        ),
        # At most one active booking per owner (a conversation, or a verified employee).
        Index(
            "uq_bookings_active_owner",
            "active_owner",
            unique=True,
            sqlite_where=text(f"status = '{BOOKING_ACTIVE}'"),
            postgresql_where=text(f"status = '{BOOKING_ACTIVE}'"),
        ),
        Index("ix_bookings_owner_conversation", "owner_conversation"),
        Index("ix_bookings_owner_employee", "owner_employee"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False, unique=True)
    slot_id = Column(Integer, ForeignKey("slots.id", ondelete="RESTRICT"), nullable=False)
    mode = Column(String(16), nullable=False)
    region = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default=BOOKING_ACTIVE)
    #: Bearer token of the calendar download link; unguessable, unrelated to the code.
    ics_token = Column(String(64), nullable=False, unique=True)
    #: Calendar SEQUENCE: raised on every change so agenda apps update the event.
    sequence = Column(Integer, nullable=False, default=0)
    #: Only after an explicit yes; wiped by ``purge-emails`` after ``email_delete_after``.
    email = Column(String(254), nullable=True)
    email_delete_after = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at = Column(UTCDateTime, nullable=True)
    #: Who may change the booking: the pseudonymous conversation key that made it, and the
    #: employee key when the identity was verified. Never a raw channel id. Both NULL: made
    #: before owners were recorded (or by a trusted tool); the code alone then decides.
    owner_conversation = Column(String(64), nullable=True)
    owner_employee = Column(String(128), nullable=True)
    #: ``e:<employee key>`` or ``c:<conversation key>`` while the booking counts as the
    #: owner's one active booking (cleared on cancel and once the appointment has passed).
    active_owner = Column(String(140), nullable=True)

    slot = relationship("Slot", lazy="joined")


class BookingQuota(Base):
    """Booking changes used per key and hour, shared by every action-server instance.

    Keys are ``c:<conversation key>``, ``e:<employee key>`` or ``anonymous`` (all anonymous
    conversations together); a conditional ``UPDATE ... WHERE used < limit`` takes one, so
    the limit holds under concurrency. Rows older than a day are deleted on the way.
    """

    __tablename__ = "booking_quota"
    __table_args__ = (
        CheckConstraint("used >= 0", name="used_not_negative"),
        Index("ix_booking_quota_window_start", "window_start"),
    )

    key = Column(String(140), primary_key=True)
    window_start = Column(UTCDateTime, primary_key=True)
    used = Column(Integer, nullable=False, default=0)


class WorkshopEvent(Base):
    """A "Tap de toekomst" evening: one venue in one province on one date, with sessions."""

    __tablename__ = "workshop_events"
    __table_args__ = (
        UniqueConstraint("name", "event_date", name="uq_workshop_events_name_date"),
        CheckConstraint(f"region IN {sql_in(REGIONS)}", name="known_region"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(venue_name) > 0 AND length(town) > 0", name="venue_not_empty"),
        Index("ix_workshop_events_region_date", "region", "event_date"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(160), nullable=False)
    #: The province (one of :data:`~bot.ledger.catalog.REGIONS`).
    region = Column(String(32), nullable=False)
    venue_name = Column(String(160), nullable=False)
    town = Column(String(120), nullable=False)
    #: The local (Dutch) date of the evening; sessions start and end on it.
    event_date = Column(Date, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Workshop(Base):
    """One date of a workshop on one of the five programme themes.

    With an ``event_id`` it is a session of a :class:`WorkshopEvent`. ``seats_taken`` counts
    the sign-ups holding a seat; the CHECK keeps it within ``places`` whatever the writer, so
    capacity can never be exceeded, also under concurrency.
    """

    __tablename__ = "workshops"
    __table_args__ = (
        UniqueConstraint("provider_id", "theme", "starts_at", name="uq_workshops_date"),
        CheckConstraint(f"theme IN {sql_in(tuple(WORKSHOP_THEMES))}", name="known_theme"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("places > 0", name="places_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= places", name="seats_within_places"),
        Index("ix_workshops_event_id", "event_id"),
    )

    id = Column(Integer, primary_key=True)
    theme = Column(String(32), nullable=False)
    title = Column(String(160), nullable=False)
    provider_id = Column(Integer, ForeignKey("providers.id", ondelete="RESTRICT"), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)
    location = Column(String(200), nullable=False)
    places = Column(Integer, nullable=False)
    event_id = Column(Integer, ForeignKey("workshop_events.id", ondelete="RESTRICT"), nullable=True)
    seats_taken = Column(Integer, nullable=False, default=0, server_default=text("0"))

    provider = relationship("Provider", lazy="joined")
    event = relationship("WorkshopEvent", lazy="joined")


class Voucher(Base):
    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(VOUCHER_STATUSES)}", name="known_status"),
        CheckConstraint(f"purpose IN {sql_in(VOUCHER_PURPOSES)}", name="known_purpose"),
        CheckConstraint("value_cents > 0", name="value_positive"),
        CheckConstraint("expires_at > issued_at", name="expires_after_issue"),
        CheckConstraint("length(employee_key) >= 8", name="employee_key_length"),
        CheckConstraint(
            "(status = 'redeemed') = "
            "(redeemed_at IS NOT NULL AND redeemed_by_provider_id IS NOT NULL)",
            name="redeemed_fields",
        ),
        # One live voucher per employee and programme year; a cancelled one may be replaced.
        Index(
            "uq_vouchers_employee_year",
            "municipality_id",
            "employee_key",
            "programme_year",
            unique=True,
            sqlite_where=text(f"status <> '{VOUCHER_CANCELLED}'"),
            postgresql_where=text(f"status <> '{VOUCHER_CANCELLED}'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(16), nullable=False, unique=True)
    municipality_id = Column(
        Integer, ForeignKey("municipalities.id", ondelete="RESTRICT"), nullable=False
    )
    #: Pseudonym from the channel's signed token; never a name or personnel number.
    employee_key = Column(String(128), nullable=False)
    programme_year = Column(Integer, nullable=False)
    value_cents = Column(Integer, nullable=False)
    purpose = Column(String(24), nullable=False, default=VOUCHER_PURPOSE_ANY)
    status = Column(String(16), nullable=False, default=VOUCHER_ISSUED)
    issued_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    redeemed_at = Column(UTCDateTime, nullable=True)
    redeemed_by_provider_id = Column(
        Integer, ForeignKey("providers.id", ondelete="RESTRICT"), nullable=True
    )
    redeemed_reference = Column(String(100), nullable=True)
    status_changed_at = Column(UTCDateTime, nullable=True)

    municipality = relationship("Municipality", lazy="joined")
    redeemed_by = relationship("Provider", lazy="joined")


class WorkshopSignup(Base):
    """An employee's seat (or waiting-list place) in a workshop session, paid by a voucher.

    The employee is only their pseudonymous ``employee_key``; an e-mail address only while
    waiting and only when they left one for the "a seat is free" mail (``email``). The
    voucher is held from sign-up on (status ``reserved`` on the voucher); a partial unique
    index allows one live sign-up per voucher. ``queue_number`` orders the sign-ups of one
    session by arrival: the waiting sign-up with the lowest number gets the next free seat.
    """

    __tablename__ = "workshop_signups"
    __table_args__ = (
        UniqueConstraint("workshop_id", "queue_number", name="uq_workshop_signups_queue"),
        CheckConstraint(f"status IN {sql_in(SIGNUP_STATUSES)}", name="known_status"),
        CheckConstraint("length(employee_key) >= 8", name="employee_key_length"),
        CheckConstraint("queue_number >= 1", name="queue_number_positive"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            f"(status = '{SIGNUP_CANCELLED}') = (cancelled_at IS NOT NULL)",
            name="cancelled_at_set",
        ),
        CheckConstraint(
            f"(status = '{SIGNUP_ATTENDED}') = (attended_at IS NOT NULL)", name="attended_at_set"
        ),
        CheckConstraint(
            f"NOT notice_pending OR status = '{SIGNUP_RESERVED}'", name="notice_only_reserved"
        ),
        CheckConstraint(
            "email IS NULL OR email_delete_after IS NOT NULL", name="email_has_deadline"
        ),
        # The address is only for the one "a seat is free" mail: gone once the place is not
        # waiting any more (moved up, cancelled, expired), so that mail goes out at most once.
        CheckConstraint(f"email IS NULL OR status = '{SIGNUP_WAITING}'", name="email_only_waiting"),
        # One live sign-up (a seat or a waiting place) per voucher, whatever the application does.
        Index(
            "uq_workshop_signups_live_voucher",
            "voucher_id",
            unique=True,
            sqlite_where=text(f"status IN {sql_in(SIGNUP_LIVE)}"),
            postgresql_where=text(f"status IN {sql_in(SIGNUP_LIVE)}"),
        ),
        Index("ix_workshop_signups_workshop_status", "workshop_id", "status", "queue_number"),
        Index("ix_workshop_signups_employee_key", "employee_key"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False, unique=True)
    workshop_id = Column(Integer, ForeignKey("workshops.id", ondelete="RESTRICT"), nullable=False)
    voucher_id = Column(Integer, ForeignKey("vouchers.id", ondelete="RESTRICT"), nullable=False)
    #: The voucher's municipality, for the coordinators' counts (never the person).
    municipality_id = Column(
        Integer, ForeignKey("municipalities.id", ondelete="RESTRICT"), nullable=False
    )
    #: Pseudonym from the channel's signed token; never a name or personnel number.
    employee_key = Column(String(128), nullable=False)
    status = Column(String(16), nullable=False)
    queue_number = Column(Integer, nullable=False)
    #: "You moved up from the waiting list": told (and cleared) at the employee's next chat.
    notice_pending = Column(Boolean, nullable=False, default=False)
    #: Bearer token of the calendar download link; unguessable, unrelated to the code.
    ics_token = Column(String(64), nullable=False, unique=True)
    #: Calendar SEQUENCE: raised on every change so agenda apps update the event.
    sequence = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    promoted_at = Column(UTCDateTime, nullable=True)
    cancelled_at = Column(UTCDateTime, nullable=True)
    attended_at = Column(UTCDateTime, nullable=True)
    #: Only after an explicit yes in the chat, left on the web page (never in the chat): the
    #: one mail "a seat is free" goes here. Cleared when that mail is queued or the place
    #: stops waiting; wiped by ``purge-emails`` after ``email_delete_after`` at the latest.
    email = Column(String(254), nullable=True)
    email_delete_after = Column(UTCDateTime, nullable=True)

    workshop = relationship("Workshop", lazy="joined")
    voucher = relationship("Voucher", lazy="joined")


class AuditEntry(Base):
    """Append-only record of every change to bookings, vouchers, providers and imports."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    actor = Column(String(80), nullable=False)
    action = Column(String(60), nullable=False)
    entity_type = Column(String(40), nullable=False)
    entity_id = Column(String(64), nullable=True)
    details = Column(Text, nullable=False, default="{}")
