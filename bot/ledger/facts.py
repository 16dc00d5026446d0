"""Facts about a coach conversation, read from the ledger ("hoe lang duurt het?").

The answers come from the data (slot lengths, the municipality's voucher value, the
booking's coach) and the booking rules, never from a generic text. Pure database reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ledger.booking import BookingOwner, BookingView, active_booking_of
from bot.ledger.catalog import SLOT_BOOKED, SLOT_FREE
from bot.ledger.models import Coach, Municipality, Slot
from bot.ledger.vouchers import VoucherView, employee_voucher
from bot.ledger.when import fold

TOPIC_DURATION, TOPIC_COUNT, TOPIC_COST, TOPIC_LINK = "duur", "aantal", "kosten", "link"
TOPIC_PLACE = "plek"
#: "krijgt mn baas daar bericht van?" (walkthrough 2026-12-04b, asked four times)
TOPIC_WHO_KNOWS = "wie_weet"
TOPICS = (TOPIC_WHO_KNOWS, TOPIC_DURATION, TOPIC_COUNT, TOPIC_COST, TOPIC_LINK, TOPIC_PLACE)

_BOSS = r"(?:baas|leidinggevende|teamleider|manager|chef|p&o|p en o|collega\w*|werkgever)"
_KNOWS = r"(?:bericht|ziet|zien|weet|weten|hoort|horen|merkt|merken|mail|te\s+zien|ervan)"
_TOPIC_WORDS = {
    TOPIC_WHO_KNOWS: rf"\b{_BOSS}\b.*\b{_KNOWS}\b|\b{_KNOWS}\b.*\b{_BOSS}\b",
    TOPIC_DURATION: r"hoe lang|duur|duurt|minuten|uur duren|lengte",
    TOPIC_COUNT: r"hoeveel gesprekken|hoe vaak|hoeveel keer|meer dan een|nog een gesprek|aantal",
    TOPIC_COST: r"kost|kosten|betaal|betalen|betaald|prijs|gratis|voucher|geld|euro",
    TOPIC_LINK: r"\blink\b|linkje|teams|zoom|inloggen|videobel|hoe krijg ik|uitnodiging",
    # "waar is dat dan?" at the confirmation (walkthrough of 2026-12-03 left the booking)
    TOPIC_PLACE: r"\bwaar (?:is|zit|zitten|moet ik|ga ik|vindt)\b|\badres\b|\blocatie\b|"
    r"\bwaar\b.*\b(?:gesprek|afspraak|coach)\b|\b(?:hoe\s+)?ver\s+(?:weg\s+)?van\b|"
    r"\bin\s+welke\s+(?:plaats|stad|gemeente)\b|\bwelke\s+plaats\b|\bvroeg\s+waar\b|"
    r"\bwaar\s+(?:\w+\s+){0,2}(?:zit|zitten|woont|werkt)\b|\bwaar\s+dan\b",
}


def coach_location(session: Session, *, slot_id: int) -> str | None:
    """Where the coach of a slot holds on-location conversations (None when not known)."""
    return session.execute(
        select(Coach.location).join(Slot, Slot.coach_id == Coach.id).where(Slot.id == slot_id)
    ).scalar_one_or_none()


def coach_locations(session: Session, *, slot_ids: Sequence[int]) -> dict[int, str | None]:
    """Where the coach of each slot holds on-location conversations, by slot id."""
    rows = session.execute(
        select(Slot.id, Coach.location)
        .join(Coach, Slot.coach_id == Coach.id)
        .where(Slot.id.in_(list(slot_ids)))
    ).all()
    return {slot_id: location for slot_id, location in rows}


def topics_in(text: str) -> tuple[str, ...]:
    """Which facts a question asks for ("hoe lang duurt het en hoeveel gesprekken krijg ik?")."""
    folded = fold(text)
    return tuple(topic for topic in TOPICS if re.search(_TOPIC_WORDS[topic], folded))


@dataclass(frozen=True)
class CoachFacts:
    minutes: int | None
    voucher_cents: int | None
    booking: BookingView | None
    coach_online: bool
    #: This year's voucher of the verified employee (None: none, or not known).
    voucher: VoucherView | None = None
    #: Whether the employee is known, so "no voucher" is a fact and not a guess.
    voucher_known: bool = False


def coach_facts(
    session: Session,
    *,
    owner: BookingOwner,
    municipality: str | None,
    now: datetime,
    employee_keys: Sequence[str] = (),
) -> CoachFacts:
    """The usual length of a conversation, the voucher value, the employee's booking and,
    for a verified employee (``employee_keys``), their voucher: booking a coach here never
    touches the voucher, so the answer to "gaat dit van mijn voucher af?" is its status."""
    rows = session.execute(
        select(Slot.starts_at, Slot.ends_at)
        .join(Coach, Coach.id == Slot.coach_id)
        .where(Coach.active.is_(True), Slot.status.in_((SLOT_FREE, SLOT_BOOKED)))
        .limit(500)
    ).all()
    lengths = [int((end - start).total_seconds() // 60) for start, end in rows if end > start]
    voucher = None
    if municipality:
        voucher = session.execute(
            select(Municipality.voucher_value_cents).where(Municipality.code == municipality)
        ).scalar_one_or_none()
    booking = active_booking_of(session, owner=owner, now=now)
    online = bool(session.execute(select(Coach.id).where(Coach.online.is_(True))).first())
    known = bool(municipality and employee_keys)
    own = (
        employee_voucher(
            session,
            municipality_code=str(municipality),
            employee_key=employee_keys[0],
            previous_keys=tuple(employee_keys[1:]),
            now=now,
        )
        if known
        else None
    )
    return CoachFacts(
        minutes=int(median(lengths)) if lengths else None,
        voucher_cents=voucher,
        booking=booking,
        coach_online=online,
        voucher=own,
        voucher_known=known,
    )
