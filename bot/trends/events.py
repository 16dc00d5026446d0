"""Names of the anonymous trend events and their categories (the only values ever stored).

An event is (ISO week, municipality code, event type, category): never a timestamp, a
conversation or sender id, or text the employee typed. Other capabilities call
:func:`bot.trends.recorder.record_trend` with one of these constants.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

# --- Event types ----------------------------------------------------------------------------

CONVERSATION_STARTED = "conversation_started"
#: category: the suggested direction (bot.scan.questions.DIRECTIONS)
SCAN_COMPLETED = "scan_completed"
#: one event per top strength of a finished scan; category: strength key (STRENGTH_LABELS)
SCAN_STRENGTH = "scan_strength"
#: category: barrier key (bot.conversation.barriers), recorded by the support capability
BARRIER_RAISED = "barrier_raised"
#: category: worry key, recorded by the support capability
WORRY_RAISED = "worry_raised"
#: the preparation sheet for the conversation with the manager was made (no category)
PREPARATION_SHEET_MADE = "preparation_sheet_made"
VOUCHER_ISSUED = "voucher_issued"
#: recorded by the ledger when a provider redeems a voucher (in the same transaction)
VOUCHER_REDEEMED = "voucher_redeemed"
COACH_BOOKED = "coach_booked"
COACH_CANCELLED = "coach_cancelled"
#: a workshop seat (or waiting-list place) was reserved with a voucher;
#: category: :func:`workshop_category` (theme and region of the event)
WORKSHOP_SIGNED_UP = "workshop_signed_up"
#: recorded by the ledger when a provider redeems attendance; category: :func:`workshop_category`
WORKSHOP_ATTENDED = "workshop_attended"
#: recorded by the ledger when a provider redeems a coach conversation (no category)
COACH_CONVERSATION_HELD = "coach_conversation_held"
#: an opportunity was shown in the chat; category: the opportunity type key
OPPORTUNITY_VIEWED = "opportunity_viewed"
#: an opportunity was put on the preparation sheet; category: the opportunity type key
OPPORTUNITY_SAVED = "opportunity_saved"
#: the EVC check was finished; category: its outcome key
EVC_CHECKED = "evc_checked"
#: category: the intent NLU guessed (below the threshold), never the message text
FALLBACK = "fallback"
OUT_OF_SCOPE = "out_of_scope"

EVENT_TYPES: tuple[str, ...] = (
    CONVERSATION_STARTED,
    SCAN_COMPLETED,
    SCAN_STRENGTH,
    BARRIER_RAISED,
    WORRY_RAISED,
    PREPARATION_SHEET_MADE,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    COACH_BOOKED,
    COACH_CANCELLED,
    WORKSHOP_SIGNED_UP,
    WORKSHOP_ATTENDED,
    COACH_CONVERSATION_HELD,
    OPPORTUNITY_VIEWED,
    OPPORTUNITY_SAVED,
    EVC_CHECKED,
    FALLBACK,
    OUT_OF_SCOPE,
)

#: Dutch labels for the dashboard (tables, charts, CSV headers).
EVENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        CONVERSATION_STARTED: "Gesprekken",
        SCAN_COMPLETED: "Scans afgerond",
        SCAN_STRENGTH: "Sterke punten",
        BARRIER_RAISED: "Drempels",
        WORRY_RAISED: "Zorgen",
        PREPARATION_SHEET_MADE: "Voorbereidingen gemaakt",
        VOUCHER_ISSUED: "Vouchers uitgegeven",
        VOUCHER_REDEEMED: "Vouchers verzilverd",
        COACH_BOOKED: "Coachgesprekken geboekt",
        COACH_CANCELLED: "Coachgesprekken afgezegd",
        WORKSHOP_SIGNED_UP: "Inschrijvingen workshops",
        WORKSHOP_ATTENDED: "Workshops bijgewoond",
        COACH_CONVERSATION_HELD: "Coachgesprekken gehouden",
        OPPORTUNITY_VIEWED: "Kansen bekeken",
        OPPORTUNITY_SAVED: "Kansen bewaard",
        EVC_CHECKED: "EVC-checks gedaan",
        FALLBACK: "Niet begrepen",
        OUT_OF_SCOPE: "Buiten het onderwerp",
    }
)

#: Bucket for events whose channel did not say which municipality the employee works for.
UNKNOWN_MUNICIPALITY = "onbekend"
#: Stored when an event has no category (so the unique key of aggregates needs no NULL).
NO_CATEGORY = "-"

_CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9_/]{0,63}$")
_MUNICIPALITY_PATTERN = re.compile(r"^[A-Za-z0-9]{2,16}$")


def clean_category(value: object) -> str | None:
    """A category key as stored, or None when it is not a plain key (never free text)."""
    if value is None:
        return NO_CATEGORY
    if not isinstance(value, str):
        return None
    candidate = value.strip().lower()
    return candidate if _CATEGORY_PATTERN.match(candidate) else None


def clean_municipality(value: object) -> str:
    """A municipality code (e.g. GM9901) as stored; anything else counts as unknown."""
    if isinstance(value, str) and value.strip().lower() == UNKNOWN_MUNICIPALITY:
        return UNKNOWN_MUNICIPALITY
    if isinstance(value, str) and _MUNICIPALITY_PATTERN.match(value.strip()):
        return value.strip().upper()
    return UNKNOWN_MUNICIPALITY


def region_key(region: str) -> str:
    """A province name as a category part: ``"Fryslân"`` → ``fryslan``, ``"Noord-Holland"`` →
    ``noord_holland``."""
    plain = unicodedata.normalize("NFKD", region).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def workshop_category(theme: str, region: str) -> str:
    """The category of workshop events: ``"<theme>/<region key>"``, e.g. ``talenten/limburg``."""
    return f"{theme}/{region_key(region)}"
