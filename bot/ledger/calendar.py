"""The .ics calendar file of a booking (icalendar), served by the web app.

Times are written in UTC, which every agenda app converts to local time. The UID stays the
same for a booking and SEQUENCE goes up with every change, so an agenda updates the event
when the file is opened again after moving or cancelling.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from bot.ledger.booking import BookingView
from bot.ledger.catalog import BOOKING_CANCELLED, MODE_ONLINE
from bot.ledger.codes import format_code

PRODID = "-//Koers//Loopbaangesprek//NL"


def booking_calendar(view: BookingView, now: datetime, uid_domain: str = "koers") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if view.status == BOOKING_CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{view.booking_id}@{uid_domain}")
    event.add("dtstamp", now)
    event.add("dtstart", view.starts_at)
    event.add("dtend", view.ends_at)
    event.add("sequence", view.sequence)
    event.add("summary", f"Loopbaangesprek met {view.coach_name}")
    if view.mode == MODE_ONLINE:
        event.add("location", "Online")
        how = "Het gesprek is online. De coach laat je weten hoe je inlogt."
    else:
        event.add("location", view.location or f"Op locatie in {view.region}")
        how = "Het gesprek is op locatie."
    event.add(
        "description",
        f"{how}\nBoekingscode: {format_code(view.code)}\n"
        "Verzetten of afzeggen? Zeg het tegen Koers en geef je boekingscode.\n"
        f"Vragen voor de coach? Mail naar {view.coach_email}.",
    )
    event.add("status", "CANCELLED" if view.status == BOOKING_CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
