"""Texts of the e-mails Koers sends (pure functions).

A coach gets the appointment and nothing else: no chat text, no scan results, no reasons.
An employee on a waiting list who asked for it gets one mail when a seat frees up: the
workshop, date, place, sign-up code and how to cancel, nothing about the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.ledger.catalog import MODE_ONLINE
from bot.ledger.codes import format_code
from bot.ledger.preferences import format_moment


@dataclass(frozen=True)
class MailContent:
    subject: str
    body: str


@dataclass(frozen=True)
class AppointmentFacts:
    """What a coach may know about a booking."""

    coach_name: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    region: str
    location: str | None
    booking_code: str


def _how(facts: AppointmentFacts) -> str:
    if facts.mode == MODE_ONLINE:
        return "online"
    return f"op locatie ({facts.location})" if facts.location else "op locatie"


def _facts_block(facts: AppointmentFacts) -> str:
    return (
        f"Wanneer: {format_moment(facts.starts_at, facts.ends_at)}\n"
        f"Hoe: {_how(facts)}\n"
        f"Regio: {facts.region}\n"
        f"Boekingscode: {format_code(facts.booking_code)}\n"
    )


_FOOTER = (
    "\nDeze mail is automatisch verstuurd door Koers. Over het gesprek in Koers krijg je "
    "geen informatie: dat blijft van de medewerker.\n"
)

_NO_EMAIL = (
    "De medewerker heeft geen e-mailadres achtergelaten. De medewerker heeft jouw "
    "e-mailadres gekregen en neemt zelf contact op als dat nodig is.\n"
)


def booking_mail(facts: AppointmentFacts) -> MailContent:
    subject = f"Nieuwe afspraak via Koers: {format_moment(facts.starts_at)}"
    body = (
        f"Hallo {facts.coach_name},\n\n"
        "Er is een loopbaangesprek bij je geboekt via Koers.\n\n"
        f"{_facts_block(facts)}\n{_NO_EMAIL}{_FOOTER}"
    )
    return MailContent(subject, body)


def cancellation_mail(facts: AppointmentFacts) -> MailContent:
    subject = f"Afspraak geannuleerd: {format_moment(facts.starts_at)}"
    body = (
        f"Hallo {facts.coach_name},\n\n"
        "Deze afspraak is geannuleerd door de medewerker. De tijd is weer vrij.\n\n"
        f"{_facts_block(facts)}{_FOOTER}"
    )
    return MailContent(subject, body)


def rescheduled_mail(facts: AppointmentFacts, previous_start: datetime) -> MailContent:
    subject = f"Afspraak verzet naar {format_moment(facts.starts_at)}"
    body = (
        f"Hallo {facts.coach_name},\n\n"
        f"De afspraak van {format_moment(previous_start)} is verzet. Dit is de nieuwe tijd:\n\n"
        f"{_facts_block(facts)}{_FOOTER}"
    )
    return MailContent(subject, body)


def email_left_mail(facts: AppointmentFacts, employee_email: str) -> MailContent:
    """The employee said yes and left an address so the coach can get in touch."""
    subject = f"E-mailadres voor je afspraak van {format_moment(facts.starts_at)}"
    body = (
        f"Hallo {facts.coach_name},\n\n"
        "De medewerker van deze afspraak wil graag dat je mailt, bijvoorbeeld met de link "
        "voor een online gesprek of met de plek waar jullie afspreken.\n\n"
        f"{_facts_block(facts)}"
        f"E-mailadres van de medewerker: {employee_email}\n\n"
        "Gebruik dit adres alleen voor deze afspraak. Koers wist het na de afspraak.\n"
        f"{_FOOTER}"
    )
    return MailContent(subject, body)


@dataclass(frozen=True)
class SeatFacts:
    """What the "a seat is free" mail says about the sign-up that moved up."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    signup_code: str
    event_name: str | None = None


def seat_free_mail(facts: SeatFacts) -> MailContent:
    """To the employee who moved up from the waiting list and left an address for this."""
    when = format_moment(facts.starts_at, facts.ends_at)
    subject = f"Er is een plek vrijgekomen: {facts.title}"
    event = f"Onderdeel van: {facts.event_name}\n" if facts.event_name else ""
    body = (
        "Hallo,\n\n"
        f"Er is een plek vrijgekomen bij de workshop '{facts.title}'. Jij stond als eerste op "
        "de wachtlijst. De plek is nu van jou. Je voucher is hiervoor gereserveerd.\n\n"
        f"Workshop: {facts.title}\n"
        f"{event}"
        f"Wanneer: {when}\n"
        f"Waar: {facts.place}\n"
        f"Inschrijfcode: {format_code(facts.signup_code)}\n\n"
        "Kun je toch niet? Zeg het dan tegen Koers, bijvoorbeeld: 'ik wil mijn inschrijving "
        "afzeggen'. Je plek gaat dan naar de volgende op de lijst en je voucher is weer vrij.\n\n"
        "Je krijgt deze mail omdat je daar in Koers om vroeg. Dit is de enige mail: je "
        "e-mailadres is nu gewist bij je inschrijving.\n"
        "Deze mail is automatisch verstuurd door Koers.\n"
    )
    return MailContent(subject, body)
