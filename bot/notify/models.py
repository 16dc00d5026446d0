"""The outbox table of coach e-mail and its status values (migrations ``0001``/``0006``/``0010``).

A message about a booking points at it (``booking_id``), the "a seat is free" mail of a
waiting list at its workshop sign-up (``signup_id``); the foreign keys name the ledger's
columns themselves, so importing this module also registers those tables on the shared
metadata, which SQLAlchemy needs to flush an outbox row.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Text

from bot.clock import utcnow
from bot.db.base import Base, UTCDateTime
from bot.ledger.catalog import sql_in
from bot.ledger.models import Booking, WorkshopSignup

OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED = (
    "pending",
    "sending",
    "sent",
    "failed",
)
OUTBOX_STATUSES = (OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED)


class OutboxMessage(Base):
    """An e-mail to send (or, without SMTP settings, to read with ``cli outbox``)."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(OUTBOX_STATUSES)}", name="known_status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_status_created_at", "status", "created_at"),
        Index("ix_outbox_signup_id", "signup_id"),
    )

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    to_address = Column(String(254), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default=OUTBOX_PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)
    claimed_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    #: After a failed try: not before this moment (backoff; NULL: as soon as possible).
    next_attempt_at = Column(UTCDateTime, nullable=True)
    booking_id = Column(Integer, ForeignKey(Booking.id, ondelete="SET NULL"), nullable=True)
    #: Messages about a booking can hold the employee's e-mail: deleted with it.
    purge_after = Column(UTCDateTime, nullable=True)
    #: The "a seat is free" mail of this workshop sign-up (migration ``0010``): deleted
    #: unsent once the sign-up no longer holds that seat (cancelled, moved, or its session
    #: has started), so the employee is never told about a seat they no longer have.
    signup_id = Column(Integer, ForeignKey(WorkshopSignup.id, ondelete="SET NULL"), nullable=True)
