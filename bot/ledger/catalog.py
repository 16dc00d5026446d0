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

#: What each workshop is about, in a few words for lists and in two sentences when asked
#: ("wat leer je daar?", walkthrough of 2026-12-04: the employee never found out).
WORKSHOP_ABOUT = MappingProxyType(
    {
        "talenten": "ontdek waar je goed in bent en hoe je dat meer inzet",
        "gesprek": "zo bespreek je een wens of zorg met je leidinggevende",
        "presenteren": "hoe je overkomt als je jezelf voorstelt",
        "financien": "wat een andere functie of minder uren doet met je inkomen",
        "digitalisering": "wat nieuwe techniek betekent voor jouw taken",
    }
)
WORKSHOP_DETAILS = MappingProxyType(
    {
        "talenten": (
            "Je ontdekt waar je goed in bent en waar je energie van krijgt. "
            "Daarna kijk je hoe je dat meer gebruikt in je werk."
        ),
        "gesprek": (
            "Je oefent hoe je een wens of een zorg op tafel legt bij je leidinggevende. "
            "Je krijgt tips om het gesprek voor te bereiden en om door te vragen."
        ),
        "presenteren": (
            "Je leert hoe je overkomt als je jezelf voorstelt, bijvoorbeeld bij een nieuw team "
            "of een sollicitatie. Het gaat over kleding, houding en wat je zegt."
        ),
        "financien": (
            "Je ziet wat een loopbaanstap betekent voor je geld. Bijvoorbeeld een andere "
            "functie, minder uren of een opleiding. Je eigen regels vraag je na bij P&O."
        ),
        "digitalisering": (
            "Je kijkt welke techniek er op je werk afkomt, zoals digitaal werken en slimme "
            "systemen. Je ontdekt wat je al kunt en wat je nog wilt leren."
        ),
    }
)
#: True of every workshop of the programme (domain: a café setting, no managers present).
WORKSHOP_SETTING = (
    "Je doet het samen met collega's van andere gemeenten, in een informele sfeer. "
    "Er zijn geen leidinggevenden bij. Je betaalt met je voucher van 375 euro."
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
