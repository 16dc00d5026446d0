"""What entity-filled slots may hold, and voucher and booking codes masked before storage.

Why: ``barrier``, ``region`` and the booking-code slots are "system slots", stored as they
are so the conversation keeps working. That is only safe while they hold one of Koers's own
values: a barrier category, an official province, a code of the right shape. Anything else
came straight from the employee (an injected ``/mention_barrier{"barrier": "Piet 06..."}``
or a wrong entity guess such as ``barrier = "Gerrit"``) and is dropped, at the source
(:class:`bot.rasa_ext.nlu.InputGuard`) and again in the tracker store.

Codes: a voucher or booking code in a stored message is a bearer token (whoever reads the
database could redeem or cancel it), so every code-shaped piece of stored text keeps its
first two symbols and the rest becomes ``*``. The masking keeps the length, so entity
offsets into the text stay valid.

Pure: no Rasa, no spaCy; the action server and the web app can use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.conversation.barriers import BARRIERS
from bot.ledger.catalog import REGIONS
from bot.ledger.codes import ALPHABET, BOOKING_BODY_LENGTH, VOUCHER_BODY_LENGTH, check_character
from bot.ledger.preferences import normalize_region
from bot.opportunities.catalog import TYPES as OPPORTUNITY_TYPES

MASK_CHAR = "*"
#: Symbols of a code that stay readable (enough for support to tell two codes apart).
KEEP_PREFIX = 2

_BARRIERS = frozenset(BARRIERS)
_REGIONS = frozenset(REGIONS)
_ALPHABET = frozenset(ALPHABET)
_SYM = "[2-9A-HJKMNP-Za-hjkmnp-z]"
_SEP = r"[-_. ]"
# Longest shapes first: a voucher code in groups of four, then a booking code in groups of
# five, then the compact forms. Boundaries: no letter or digit may touch the code.
_CODE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    rf"(?P<v>{_SYM}{{4}}(?P<vs>{_SEP}){_SYM}{{4}}(?P=vs){_SYM}{{4}}(?P=vs){_SYM}{{4}})"
    rf"|(?P<b>{_SYM}{{5}}(?P<bs>{_SEP}){_SYM}{{5}})"
    rf"|(?P<vc>{_SYM}{{16}})"
    rf"|(?P<bc>{_SYM}{{10}})"
    r")(?![0-9A-Za-z])"
)


def _compact(value: str) -> str:
    return re.sub(r"[-_. ]", "", value).upper()


def _valid(compact: str, kind: str) -> bool:
    return check_character(compact[:-1], kind) == compact[-1]


def is_code_shaped(value: Any, kind: str) -> bool:
    """True if ``value`` is a ``kind`` code ("voucher"/"booking") by length and alphabet."""
    if not isinstance(value, str):
        return False
    compact = _compact(value)
    length = (VOUCHER_BODY_LENGTH if kind == "voucher" else BOOKING_BODY_LENGTH) + 1
    return len(compact) == length and set(compact) <= _ALPHABET


def _masks(match: re.Match[str]) -> bool:
    """Whether a code-shaped piece of text is masked.

    Codes Koers shows are upper case with dashes; employees type them in any case. Ordinary
    words rarely fit: a grouped piece counts when it has a digit or capitals only, or a
    valid check character; a compact piece when it has a digit or a valid check character
    (and is not an ordinary lower-case word). Two plain words ("graag maken") need a valid
    check character *and* a digit or capitals.
    """
    piece = match.group()
    compact = _compact(piece)
    kind = "voucher" if match.group("v") or match.group("vc") else "booking"
    has_digit = any(ch.isdigit() for ch in piece)
    upper = piece.upper() == piece
    valid = _valid(compact, kind)
    separator = match.group("vs") or match.group("bs")
    if separator == " ":
        return valid and (has_digit or upper)
    if separator:
        return has_digit or upper or valid
    return has_digit or (valid and upper)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of voucher and booking codes in ``text``."""
    if not isinstance(text, str) or len(text) < 10:
        return []
    return [(m.start(), m.end()) for m in _CODE_RE.finditer(text) if _masks(m)]


def mask_code(piece: str) -> str:
    """``K7QM-4TXR-9HPB-2CW5`` -> ``K7**-****-****-****`` (separators and length kept)."""
    out, kept = [], 0
    for ch in piece:
        if ch.isalnum():
            out.append(ch if kept < KEEP_PREFIX else MASK_CHAR)
            kept += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_codes(text: str) -> str:
    """``text`` with every code masked (same length, so offsets into it stay valid)."""
    return mask_spans(text, code_spans(text))


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the code ``spans`` (sorted, not overlapping) masked in place."""
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(mask_code(text[start:end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# canonical values


def canonical_barrier(value: Any) -> str | None:
    """One of the barrier categories of :mod:`bot.conversation.barriers`, else None."""
    return value if isinstance(value, str) and value in _BARRIERS else None


def canonical_region(value: Any) -> str | None:
    """An official province name (:data:`bot.ledger.catalog.REGIONS`), else None."""
    return value if isinstance(value, str) and value in _REGIONS else None


def canonical_booking_code(value: Any) -> str | None:
    """A booking code of the right shape (as written), else None."""
    return value if is_code_shaped(value, "booking") else None


def canonical_voucher_code(value: Any) -> str | None:
    """A voucher code of the right shape (as written), else None."""
    return value if is_code_shaped(value, "voucher") else None


#: A listing or session id in a button payload: a short number, never a phone number.
_SMALL_ID_RE = re.compile(r"[1-9][0-9]{0,5}")
#: Opportunity types a button may name (bot.opportunities.catalog.TYPES).
_OPPORTUNITY_KINDS = frozenset(OPPORTUNITY_TYPES)


def canonical_small_id(value: Any) -> str | None:
    """A database id of at most six digits (as a string), else None (issue 17's buttons)."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    return text if _SMALL_ID_RE.fullmatch(text) else None


def canonical_opportunity_kind(value: Any) -> str | None:
    return value if isinstance(value, str) and value in _OPPORTUNITY_KINDS else None


#: Slots filled from entities or from codes: only these values are ever stored.
CANONICAL_SLOTS: Mapping[str, Callable[[Any], Any]] = {
    "barrier": canonical_barrier,
    "region": canonical_region,
    "booking_code": canonical_booking_code,
    "coach_booking_code": canonical_booking_code,
}
#: Slots whose (canonical) value is a code: sealed by the tracker store, never in clear.
CODE_SLOTS = frozenset({"booking_code", "coach_booking_code"})
#: Entities of the domain and their canonical forms (for parse data and the InputGuard).
CANONICAL_ENTITIES: Mapping[str, Callable[[Any], Any]] = {
    "barrier": canonical_barrier,
    "region": canonical_region,
    "booking_code": canonical_booking_code,
    "voucher_code": canonical_voucher_code,
    # issue 17: the buttons of the opportunity and workshop lists
    "opportunity_kind": canonical_opportunity_kind,
    "opportunity_id": canonical_small_id,
    "session_id": canonical_small_id,
}
CODE_ENTITIES = frozenset({"booking_code", "voucher_code"})


def canonical_slot_value(name: str, value: Any) -> Any:
    """The value to keep for slot ``name`` (None if it is not canonical)."""
    check = CANONICAL_SLOTS.get(name)
    if check is None or value is None:
        return value
    return check(value)


def normalise_entity_value(entity: str, value: Any) -> Any:
    """The canonical value for an extracted entity, or None when there is none.

    Unlike :func:`canonical_slot_value`, a region may still be *named* ("friesland",
    "ik werk in Zwolle"): it is mapped to its province. Used by the NLU pipeline before
    Rasa's slot mappings see the entity.
    """
    check = CANONICAL_ENTITIES.get(entity)
    if check is None:
        return value
    found = check(value)
    if found is not None or entity in CODE_ENTITIES:
        # Codes stay as typed (the actions check them and report typos); the shape must fit.
        return found
    if entity == "region" and isinstance(value, str):
        found = normalize_region(value)
    return found


#: ``/intent{"entity": "value"}``: the payload form Rasa parses without the NLU pipeline.
_INTENT_PAYLOAD_RE = re.compile(
    r"^\s*/(?P<intent>[^{@\s]+)(?P<entities>\{.*\})?(?P<rest>@[0-9.]+)?\s*$", re.S
)


def canonical_intent_payload(text: Any) -> Any:
    """``text`` with only canonical entity values when it is a ``/intent{...}`` payload.

    Rasa reads such payloads after every pipeline component, so the InputGuard never sees
    their entities: a client could put raw text ("Piet Jansen 0612345678") straight into a
    slot. The channels call this on every message; buttons never carry entities, so honest
    clients lose nothing. Unknown entity names and non-canonical values are dropped.
    """
    if not isinstance(text, str):
        return text
    match = _INTENT_PAYLOAD_RE.match(text)
    if match is None or match.group("entities") is None:
        return text
    try:
        raw = json.loads(match.group("entities"))
    except ValueError:
        raw = None
    kept: dict[str, Any] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            if name not in CANONICAL_ENTITIES or isinstance(value, list | dict):
                continue
            found = normalise_entity_value(name, value)
            if found is not None:
                kept[name] = found
    entities = json.dumps(kept, ensure_ascii=False) if kept else ""
    return f"/{match.group('intent')}{entities}{match.group('rest') or ''}"
