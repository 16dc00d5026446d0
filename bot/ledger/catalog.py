"""Fixed vocabularies of the programme: provinces, workshop themes, meeting modes.

They are repeated as CHECK constraints in the database, so keep the migration in step.
"""

from __future__ import annotations

from types import MappingProxyType

#: Appointments are shown and planned in Dutch local time; the database stores UTC.

#: Official province names: the canonical values of the NLU entity ``region``.
REGIONS: tuple[str, ...] = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)

#: The five workshop themes of the programme, with the title the employee sees.
WORKSHOP_THEMES = MappingProxyType(
    {
        "talenten": "Je talenten ontdekken en goed gebruiken",
        "gesprek": "Tips voor een goed gesprek met je leidinggevende",
        "presenteren": "Jezelf presenteren: kleding en houding",
        "financien": "Wat een loopbaanstap betekent voor je geld",
        "digitalisering": "Techniek en digitalisering in je eigen werk",
    }
)

MODE_ONLINE = "online"
MODE_ON_LOCATION = "on_location"
#: A slot the coach can do either way; the employee's choice is stored on the booking.
MODE_EITHER = "either"
SLOT_MODES = (MODE_ONLINE, MODE_ON_LOCATION, MODE_EITHER)
BOOKING_MODES = (MODE_ONLINE, MODE_ON_LOCATION)

SLOT_FREE, SLOT_BOOKED, SLOT_BLOCKED = "free", "booked", "blocked"
SLOT_STATUSES = (SLOT_FREE, SLOT_BOOKED, SLOT_BLOCKED)

BOOKING_ACTIVE, BOOKING_CANCELLED = "active", "cancelled"
BOOKING_STATUSES = (BOOKING_ACTIVE, BOOKING_CANCELLED)

VOUCHER_ISSUED = "issued"
VOUCHER_REDEEMED = "redeemed"
VOUCHER_EXPIRED = "expired"
VOUCHER_CANCELLED = "cancelled"
#: Held by a workshop sign-up (a seat or a waiting-list place): usable for nothing else
#: until the sign-up is cancelled (back to issued) or attended (redeemed).
VOUCHER_RESERVED = "reserved"
VOUCHER_STATUSES = (
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_EXPIRED,
    VOUCHER_CANCELLED,
    VOUCHER_RESERVED,
)

#: What a voucher may be spent on: one workshop or one career conversation.
VOUCHER_PURPOSE_ANY = "workshop_or_coach"
VOUCHER_PURPOSES = (VOUCHER_PURPOSE_ANY, "workshop", "coach")


#: A workshop sign-up: a seat, a waiting-list place, or how it ended.
SIGNUP_RESERVED = "reserved"
SIGNUP_WAITING = "waiting"
SIGNUP_CANCELLED = "cancelled"
SIGNUP_ATTENDED = "attended"
#: The provider reported that the employee did not come: the voucher is free again.
SIGNUP_NO_SHOW = "no_show"
SIGNUP_STATUSES = (
    SIGNUP_RESERVED,
    SIGNUP_WAITING,
    SIGNUP_CANCELLED,
    SIGNUP_ATTENDED,
    SIGNUP_NO_SHOW,
)
#: Sign-ups that hold a voucher (at most one per voucher, a partial unique index).
SIGNUP_LIVE = (SIGNUP_RESERVED, SIGNUP_WAITING)


def sql_in(values: tuple[str, ...]) -> str:
    """Renders a literal ``IN (...)`` list for CHECK constraints (values are our constants)."""
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"
