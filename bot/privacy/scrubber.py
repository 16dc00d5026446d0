"""Removing personal data from text, values and Rasa events before anything is stored.

Rules (docs/privacy-tech.md has the full list):

* **Normalisation.** Bytes are decoded as UTF-8 (bad bytes become U+FFFD); the text is
  NFKC-normalised (full-width digits become digits); control characters (except newline and
  tab), invisible format characters (zero-width spaces, bidi overrides) and lone surrogates are
  removed. The stored text is this normalised text.
* **Truncation.** At most ``max_chars`` characters (default 2,000, ``KOERS_SCRUB_MAX_CHARS``)
  are analysed and stored. A longer text is cut there, the cut moves back to the last space in
  the final 64 characters so no half number or name survives, and `` [AFGEKAPT]`` is appended.
  The rest is never looked at and never stored.
* **Placeholders.** Every finding is replaced by its typed placeholder (``[NAAM]``, ``[EMAIL]``,
  ...). Text that already is one of our placeholders is left alone and never scrubbed again,
  so scrubbing twice gives the same result; look-alikes (``[Jan]``) are scrubbed as any text.
* **Codes.** Voucher and booking codes are masked in place (``K7**-****-****-****``): a
  stored code is a bearer token (:mod:`bot.privacy.canonical`).
* **Identity and entity slots.** Metadata loses every identity key (the signed claim,
  employee keys, tokens); the municipality stays as a plain GM code. Entity-filled slots
  (``barrier``, ``region``, booking codes) keep only canonical values, anything else is None.
* **Fail closed.** :func:`scrub_text_safe`, :func:`scrub_value` and :func:`scrub_event` never
  raise: if anything goes wrong the value is replaced by ``[VERWIJDERD]`` and a warning without
  any user text is logged.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.config import load_settings
from bot.privacy.canonical import (
    CANONICAL_ENTITIES,
    CANONICAL_SLOTS,
    CODE_ENTITIES,
    canonical_slot_value,
    code_spans,
    mask_spans,
    normalise_entity_value,
)
from bot.privacy.constants import IDENTITY_METADATA_KEYS
from bot.privacy.detectors import Finding, PiiType, find_patterns, merge_findings
from bot.privacy.names import find_names

logger = logging.getLogger(__name__)

REMOVED = "[VERWIJDERD]"
TRUNCATED_MARK = "[AFGEKAPT]"
TRUNCATION_BACKOFF = 64
MAX_DEPTH = 32
PLACEHOLDER_RE = re.compile(
    r"\[(?:" + "|".join(t.value for t in PiiType) + r"|VERWIJDERD|AFGEKAPT|TEKST)\]"
)
_IDENTIFIER_RE = re.compile(r"[A-Za-z_/][\w./:-]{0,127}")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

# Slots whose value is personal by definition: replaced whatever the value looks like.
PERSONAL_SLOTS: Mapping[str, PiiType | None] = {
    "naam": PiiType.NAAM,
    "name": PiiType.NAAM,
    "voornaam": PiiType.NAAM,
    "achternaam": PiiType.NAAM,
    "user_name": PiiType.NAAM,
    "username": PiiType.NAAM,
    "person": PiiType.NAAM,
    "email": PiiType.EMAIL,
    "e_mail": PiiType.EMAIL,
    "telefoon": PiiType.TELEFOON,
    "telefoonnummer": PiiType.TELEFOON,
    "phone": PiiType.TELEFOON,
    "bsn": PiiType.BSN,
    "iban": PiiType.IBAN,
    "adres": PiiType.ADRES,
    "address": PiiType.ADRES,
    "postcode": PiiType.POSTCODE,
    "geboortedatum": PiiType.GEBOORTEDATUM,
    "personeelsnummer": PiiType.PERSONEELSNUMMER,
    # Free text the employee types while preparing the conversation with their manager:
    # scrubbed like a message (names and numbers replaced), the rest kept for the sheet.
    "prep_goal": None,
    "prep_strengths": None,
    "prep_develop": None,
    "prep_ask": None,
    "prep_worry": None,
    "prep_when": None,
    "practice_answer_1": None,
    "practice_answer_2": None,
}
# Slots that hold state Koers's own actions produce: ratings, categories, canonical entity
# values and codes (booking codes, offered times). The employee never types free text into
# them, and scrubbing them would corrupt the conversation: a random booking code can look like
# a name to NER, and the booking could then no longer be found. Stored as they are.
SYSTEM_SLOTS: frozenset[str] = frozenset(
    {
        "requested_slot",
        "scan_status",
        "scan_direction",
        "scan_strengths",
        "scan_reasons",
        *(f"scan_q{number:02d}" for number in range(1, 17)),
        "barrier",
        "region",
        "trends_opt_out",
        "coach_mode",
        "coach_when",
        "coach_not_dates",
        "coach_offers",
        "coach_slot",
        "coach_confirm",
        "coach_email_consent",
        "coach_booking_code",
        "booking_code",
        "booking_cancel_confirm",
        "prep_kind",
        "prep_review",
        "prep_private",  # yes/no: the private parts on the printed sheet
        "prep_party",  # a category (leidinggevende, P&O-adviseur, coach)
        "prep_date",  # an ISO date the action worked out from the answer
        "paused_form",  # the name of the form that waits
        # issue 17: state the opportunity, EVC and sign-up actions produce (no typed text, no
        # codes: listing titles from the catalogue, parsed answers, filters and session ids)
        "opportunity_query",
        "opportunity_saved",
        "paging",
        "evc_years",
        "evc_diploma",
        "evc_goal",
        "signup_query",
        "signup_plan",
        "signup_confirm",
        "signup_moving",
        "signup_pending",  # a session id
    }
)
# Entity types (from any extractor) whose value is personal by definition.
PERSONAL_ENTITIES: Mapping[str, PiiType] = {
    "person": PiiType.NAAM,
    "per": PiiType.NAAM,
    "naam": PiiType.NAAM,
    "name": PiiType.NAAM,
    "voornaam": PiiType.NAAM,
    "achternaam": PiiType.NAAM,
    "email": PiiType.EMAIL,
    "phone-number": PiiType.TELEFOON,
    "phone_number": PiiType.TELEFOON,
    "telefoon": PiiType.TELEFOON,
    "telefoonnummer": PiiType.TELEFOON,
    "bsn": PiiType.BSN,
    "iban": PiiType.IBAN,
    "postcode": PiiType.POSTCODE,
    "adres": PiiType.ADRES,
    "address": PiiType.ADRES,
    "url": PiiType.URL,
    "geboortedatum": PiiType.GEBOORTEDATUM,
    "personeelsnummer": PiiType.PERSONEELSNUMMER,
}
# Event metadata keeps only these keys (and keys starting with ``koers_``), values scrubbed.
# Channel metadata (Teams user names, AAD ids, IP addresses, user agents) is dropped.
METADATA_KEEP = frozenset(
    {
        "model_id",
        "assistant_id",
        "utter_action",
        "template_name",
        "language",
        "locale",
        "is_external",
        "input_channel",
    }
)
# Identity never reaches the store: the signed claim (``koers_identity``), employee keys and
# anything that looks like a credential are dropped, whatever the key's prefix. The
# municipality stays, as a plain GM code only (trends count per municipality).
_IDENTITY_LIKE_RE = re.compile(
    r"identity|employee|token|secret|jwt|auth|password|cookie", re.IGNORECASE
)
MUNICIPALITY_KEY = "municipality"
_MUNICIPALITY_RE = re.compile(r"GM\d{4}")
# Rasa copies the message metadata of a session's first message into this slot.
SESSION_METADATA_SLOT = "session_started_metadata"
# Event keys that hold domain identifiers, not user input; kept as they are.
STRUCTURAL_KEYS = frozenset(
    {
        "event",
        "timestamp",
        "name",
        "policy",
        "confidence",
        "input_channel",
        "hide_rule_turn",
        "kill_on_user_msg",
        "date_time",
        "use_text_for_featurization",
        "intent",
    }
)


@dataclass(frozen=True)
class ScrubConfig:
    """What the scrubber needs from the settings."""

    max_chars: int = 2000
    employee_number_pattern: str | None = None
    use_ner: bool = True
    spacy_model: str | None = None


@lru_cache(maxsize=1)
def default_config() -> ScrubConfig:
    """Config from the environment, read once per process (see ``bot.config``)."""
    settings = load_settings()
    return ScrubConfig(
        max_chars=max(200, settings.scrub_max_chars),
        employee_number_pattern=settings.employee_number_pattern or None,
        spacy_model=settings.spacy_model,
    )


@dataclass(frozen=True)
class ScrubResult:
    """The text to store and what was taken out of it (types and offsets, no values).

    Offsets in ``findings`` refer to :attr:`source`, the normalised (and truncated) input.
    """

    text: str
    findings: tuple[Finding, ...] = ()
    truncated: bool = False
    failed: bool = False
    source: str = field(default="", repr=False)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind.value] = out.get(f.kind.value, 0) + 1
        return out


# ---------------------------------------------------------------------------------------------
# text


def normalise(text: str | bytes) -> str:
    """Decoded, NFKC-normalised text without control, format or surrogate characters."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFKC", text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )


def truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut ``text`` to ``max_chars`` by the documented rule; True if it was cut."""
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= max_chars - TRUNCATION_BACKOFF:
        cut = cut[:space]
    else:
        cut = cut[: max_chars - TRUNCATION_BACKOFF]
    return f"{cut.rstrip()} {TRUNCATED_MARK}", True


class FindingsCache:
    """Recent findings by keyed digest of the text: no text is kept, only offsets and types.

    The same strings come back in every conversation (Koers's questions, button titles,
    "ja", "4"), and the spaCy NER behind them was a fifth of the Rasa server's time under
    load. Bounded (least recently used entries go first) and thread-safe; the digest key is
    random per process, so a digest cannot be matched against texts elsewhere.
    """

    def __init__(self, max_entries: int = 8192) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[bytes, ScrubConfig], tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._key = os.urandom(16)
        self.hits = 0
        self.misses = 0

    def key(self, text: str, config: ScrubConfig) -> tuple[bytes, ScrubConfig]:
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=16, key=self._key).digest(), config

    def get(self, key: tuple[bytes, ScrubConfig]) -> tuple[Finding, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple[bytes, ScrubConfig], findings: tuple[Finding, ...]) -> None:
        with self._lock:
            self._entries[key] = findings
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


FINDINGS_CACHE = FindingsCache()


def find_pii(text: str, config: ScrubConfig | None = None) -> list[Finding]:
    """Merged findings of all detectors on already normalised text (cached, see above)."""
    config = config or default_config()
    key = FINDINGS_CACHE.key(text, config)
    cached = FINDINGS_CACHE.get(key)
    if cached is not None:
        return list(cached)
    findings = _find_pii_uncached(text, config)
    FINDINGS_CACHE.put(key, tuple(findings))
    return findings


def _find_pii_uncached(text: str, config: ScrubConfig) -> list[Finding]:
    protected = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    findings = find_patterns(text, config.employee_number_pattern)
    if any(ch.isalpha() for ch in text):
        findings.extend(find_names(text, use_ner=config.use_ner, model=config.spacy_model))
    if protected:
        findings = [
            f for f in findings if not any(f.start >= s and f.end <= e for s, e in protected)
        ]
    return merge_findings(findings)


def replace_findings(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with each (merged, sorted) finding replaced by its placeholder."""
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(f.kind.placeholder)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def scrub_text(text: str | bytes, config: ScrubConfig | None = None) -> ScrubResult:
    """Normalise, truncate and scrub ``text``. May raise; stores use :func:`scrub_text_safe`."""
    config = config or default_config()
    # Text far beyond the limit is cut before normalising, so its cost stays bounded.
    cut_raw = len(text) > 2 * config.max_chars
    clean = normalise(text[: 2 * config.max_chars] if cut_raw else text)
    if cut_raw and len(clean) <= config.max_chars:
        clean, truncated = truncate(clean, max(len(clean) - 1, 0)) if clean else ("", True)
    else:
        clean, truncated = truncate(clean, config.max_chars)
        truncated = truncated or cut_raw
    findings = tuple(find_pii(clean, config))
    codes = code_spans(clean)
    if not codes:
        return ScrubResult(replace_findings(clean, findings), findings, truncated, source=clean)
    # A voucher or booking code is masked in place (same length, so the findings' offsets
    # still fit); a finding that overlaps a code gives way to it.
    findings = tuple(f for f in findings if not any(f.start < e and f.end > s for s, e in codes))
    masked = mask_spans(clean, codes)
    return ScrubResult(replace_findings(masked, findings), findings, truncated, source=clean)


def scrub_text_safe(text: Any, config: ScrubConfig | None = None) -> ScrubResult:
    """:func:`scrub_text` that fails closed: on any error the result is ``[VERWIJDERD]``."""
    try:
        if not isinstance(text, str | bytes | bytearray):
            raise TypeError(f"cannot scrub {type(text).__name__}")
        return scrub_text(text, config)
    except Exception as exc:
        logger.warning(
            "Scrubber failed (%s); the value is stored as %s", type(exc).__name__, REMOVED
        )
        return ScrubResult(REMOVED, (), failed=True)


# ---------------------------------------------------------------------------------------------
# values


def scrub_value(obj: Any, config: ScrubConfig | None = None, _depth: int = 0) -> Any:
    """A copy of ``obj`` with every string scrubbed, recursively through dicts and lists.

    Numbers with seven or more digits are checked as text (a BSN or phone number stored as an
    integer); other scalars are kept. Unknown objects and structures deeper than 32 levels
    become ``[VERWIJDERD]``.
    """
    try:
        if _depth > MAX_DEPTH:
            return REMOVED
        if obj is None or isinstance(obj, bool | float):
            return obj
        if isinstance(obj, int):
            if abs(obj) < 1_000_000:
                return obj
            result = scrub_text_safe(str(obj), config)
            return result.text if result.findings or result.failed else obj
        if isinstance(obj, str | bytes | bytearray):
            return _scrub_short(obj, config)
        if isinstance(obj, Mapping):
            return {
                _scrub_key(k, config): scrub_value(v, config, _depth + 1) for k, v in obj.items()
            }
        if isinstance(obj, list | tuple | set | frozenset):
            return [scrub_value(v, config, _depth + 1) for v in obj]
        return REMOVED
    except Exception as exc:
        logger.warning("Scrubbing a value failed (%s)", type(exc).__name__)
        return REMOVED


def _scrub_short(value: str | bytes | bytearray, config: ScrubConfig | None) -> str:
    """Scrub a string value; bare identifiers (``utter_greet``, ``/inform``) skip the NER."""
    if isinstance(value, str) and _IDENTIFIER_RE.fullmatch(value) and value.islower():
        cfg = config or default_config()
        fast = ScrubConfig(cfg.max_chars, cfg.employee_number_pattern, False, cfg.spacy_model)
        return scrub_text_safe(value, fast).text
    return scrub_text_safe(value, config).text


def _scrub_key(key: Any, config: ScrubConfig | None) -> Any:
    if isinstance(key, str) and _IDENTIFIER_RE.fullmatch(key):
        return key
    if isinstance(key, int | float | bool) or key is None:
        return key
    return scrub_text_safe(str(key), config).text


def is_identity_key(key: Any) -> bool:
    """True for metadata keys that carry identity or credentials (never stored)."""
    return isinstance(key, str) and (
        key in IDENTITY_METADATA_KEYS or _IDENTITY_LIKE_RE.search(key) is not None
    )


def plain_municipality(value: Any) -> str | None:
    """The municipality as a plain GM code ("GM9901"), or None for anything else."""
    return value if isinstance(value, str) and _MUNICIPALITY_RE.fullmatch(value) else None


def scrub_metadata(metadata: Any, config: ScrubConfig | None = None) -> dict[str, Any]:
    """Only :data:`METADATA_KEEP` keys and ``koers_*`` keys survive, their values scrubbed;
    identity keys never; the municipality only as a plain GM code (never scrubbed)."""
    if not isinstance(metadata, Mapping):
        return {}
    out: dict[str, Any] = {}
    municipality = plain_municipality(metadata.get(MUNICIPALITY_KEY))
    if municipality is not None:
        out[MUNICIPALITY_KEY] = municipality
    for k, v in metadata.items():
        if not isinstance(k, str) or is_identity_key(k):
            continue
        if k in METADATA_KEEP or k.startswith("koers_"):
            out[k] = scrub_value(v, config, 1)
    return out


def session_metadata(value: Any) -> dict[str, Any] | None:
    """What is kept of the ``session_started_metadata`` slot: the municipality code only.

    Rasa copies the whole message metadata into the slot (a widget token, the signed claim,
    an employee key, Teams user data); the trend recorder needs only the municipality.
    """
    if value is None:
        return None
    municipality = (
        plain_municipality(value.get(MUNICIPALITY_KEY)) if isinstance(value, Mapping) else None
    )
    return {} if municipality is None else {MUNICIPALITY_KEY: municipality}


# ---------------------------------------------------------------------------------------------
# events


def _offset_mapper(result: ScrubResult) -> Callable[[int, bool], int]:
    """Maps an offset in the source text to the scrubbed text (inside a finding: its edges)."""

    def mapped(pos: int, is_end: bool) -> int:
        shift = 0
        for f in result.findings:
            new_len = len(f.kind.placeholder)
            if pos >= f.end:
                shift += new_len - (f.end - f.start)
            elif pos > f.start or (is_end and pos == f.end):
                return f.start + shift + (new_len if is_end else 0)
            else:
                break
        return pos + shift

    return mapped


def scrub_entities(
    entities: Any,
    text_result: ScrubResult | None,
    original_text: str | None,
    config: ScrubConfig | None = None,
) -> list[Any]:
    """Entities with personal values replaced and offsets moved to the scrubbed text."""
    if not isinstance(entities, list):
        return []
    can_map = (
        text_result is not None
        and not text_result.failed
        and original_text is not None
        and text_result.source == original_text
    )
    mapper = _offset_mapper(text_result) if can_map and text_result else None
    out = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            out.append(scrub_value(entity, config, 1))
            continue
        ent = {k: v for k, v in entity.items() if k not in {"value", "start", "end", "text"}}
        ent = scrub_value(ent, config, 1)
        etype = str(entity.get("entity", "")).lower()
        start, end = entity.get("start"), entity.get("end")
        offsets = (start, end) if isinstance(start, int) and isinstance(end, int) else None
        has_offsets = offsets is not None and 0 <= offsets[0] <= offsets[1]
        if mapper is not None and offsets is not None and has_offsets:
            new_start, new_end = mapper(offsets[0], False), mapper(offsets[1], True)
            ent["start"], ent["end"] = new_start, new_end
        if etype in PERSONAL_ENTITIES:
            ent["value"] = PERSONAL_ENTITIES[etype].placeholder
        elif etype in CANONICAL_ENTITIES and etype not in CODE_ENTITIES:
            # A barrier category or a province, or nothing: never the typed words.
            ent["value"] = normalise_entity_value(etype, entity.get("value"))
        elif mapper is not None and has_offsets and text_result is not None:
            ent["value"] = text_result.text[ent["start"] : ent["end"]]
        elif "value" in entity:
            ent["value"] = scrub_value(entity["value"], config, 1)
        if "text" in entity:
            ent["text"] = scrub_value(entity["text"], config, 1)
        out.append(ent)
    return out


def _scrub_slot_value(name: Any, value: Any, config: ScrubConfig | None) -> Any:
    if value is None or isinstance(value, bool):
        return value
    kind = PERSONAL_SLOTS.get(str(name).lower()) if isinstance(name, str) else None
    if kind is not None:
        return kind.placeholder
    if name == SESSION_METADATA_SLOT:
        return session_metadata(value)
    if name in CANONICAL_SLOTS:
        # Entity-filled: a category, a province or a code of the right shape, else nothing.
        return canonical_slot_value(name, value)
    if name in SYSTEM_SLOTS:
        return value
    return scrub_value(value, config, 1)


def scrub_parse_data(
    parse_data: Any,
    text_result: ScrubResult | None,
    original_text: str | None,
    hash_id: Callable[[str], str] | None,
    config: ScrubConfig | None = None,
) -> dict[str, Any]:
    """parse_data with text, entities, message id and metadata scrubbed; intents kept."""
    if not isinstance(parse_data, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in parse_data.items():
        if key == "text":
            same = text_result is not None and value == original_text
            out[key] = text_result.text if same and text_result else _scrub_short_any(value, config)
        elif key in {"intent", "intent_ranking"}:
            out[key] = value
        elif key == "entities":
            out[key] = scrub_entities(value, text_result, original_text, config)
        elif key == "message_id":
            out[key] = _hash_or_remove(value, hash_id)
        elif key == "metadata":
            out[key] = scrub_metadata(value, config)
        else:
            out[key] = scrub_value(value, config, 1)
    return out


def _scrub_short_any(value: Any, config: ScrubConfig | None) -> Any:
    return None if value is None else scrub_text_safe(value, config).text


def _hash_or_remove(value: Any, hash_id: Callable[[str], str] | None) -> Any:
    if value is None:
        return None
    if hash_id is None:
        return REMOVED
    return hash_id(str(value))


def scrub_event(
    event: Mapping[str, Any],
    hash_id: Callable[[str], str] | None = None,
    config: ScrubConfig | None = None,
) -> dict[str, Any]:
    """A serialised Rasa event (``event.as_dict()``) without personal data. Never raises.

    ``hash_id`` pseudonymises ids that link to a channel (``message_id``, ``sender_id``).
    """
    try:
        return _scrub_event(event, hash_id, config)
    except Exception as exc:
        logger.warning(
            "Scrubbing a %s event failed (%s); stored redacted",
            _event_name(event),
            type(exc).__name__,
        )
        return redacted_event(event)


def _event_name(event: Any) -> str:
    name = event.get("event") if isinstance(event, Mapping) else None
    return name if isinstance(name, str) and _IDENTIFIER_RE.fullmatch(name) else "unknown"


def _scrub_event(
    event: Mapping[str, Any],
    hash_id: Callable[[str], str] | None,
    config: ScrubConfig | None,
) -> dict[str, Any]:
    original_text = event.get("text") if isinstance(event.get("text"), str) else None
    text_result = scrub_text_safe(original_text, config) if original_text is not None else None
    out: dict[str, Any] = {}
    for key, value in event.items():
        if key in STRUCTURAL_KEYS:
            out[key] = _structural(value, config)
        elif key == "text":
            out[key] = text_result.text if text_result is not None else value
        elif key == "action_text":
            out[key] = _scrub_short_any(value, config)
        elif key == "parse_data":
            out[key] = scrub_parse_data(value, text_result, original_text, hash_id, config)
        elif key == "value":
            out[key] = _scrub_slot_value(event.get("name"), value, config)
        elif key == "entities":
            out[key] = scrub_entities(value, None, None, config)
        elif key == "metadata":
            out[key] = scrub_metadata(value, config)
        elif key in {"message_id", "sender_id"}:
            out[key] = _hash_or_remove(value, hash_id)
        else:
            out[key] = scrub_value(value, config, 1)
    return out


def _structural(value: Any, config: ScrubConfig | None) -> Any:
    """Domain identifiers stay; anything that does not look like one is scrubbed."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and _IDENTIFIER_RE.fullmatch(value):
        return value
    return scrub_value(value, config, 1)


def redacted_event(event: Any) -> dict[str, Any]:
    """The fail-closed form of an event: structure kept, every user-derived value removed."""
    try:
        out: dict[str, Any] = {}
        for key in STRUCTURAL_KEYS:
            value = event.get(key)
            if value is None or isinstance(value, bool | int | float):
                if key in event:
                    out[key] = value
            elif isinstance(value, str) and _IDENTIFIER_RE.fullmatch(value):
                out[key] = value
        for key in ("text", "action_text", "value"):
            if event.get(key) is not None:
                out[key] = REMOVED
        if "parse_data" in event:
            intent = (
                event["parse_data"].get("intent")
                if isinstance(event["parse_data"], Mapping)
                else None
            )
            name = intent.get("name") if isinstance(intent, Mapping) else None
            out["parse_data"] = {
                "text": REMOVED,
                "intent": {
                    "name": name
                    if isinstance(name, str) and _IDENTIFIER_RE.fullmatch(name)
                    else None,
                    "confidence": 0.0,
                },
                "entities": [],
                "intent_ranking": [],
            }
        for key, empty in (("entities", []), ("metadata", {}), ("data", {})):
            if key in event:
                out[key] = empty
        return out
    except Exception:
        name = _event_name(event) if isinstance(event, Mapping) else "unknown"
        return {"event": name}
