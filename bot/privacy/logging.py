"""Log hygiene: no user text in log records at INFO and above, Rasa's own loggers included.

:func:`install_log_privacy` wraps the logging record factory, so every record created at INFO
or above anywhere in the process (rasa, sanic, structlog's JSON lines, our code) is cleaned
before any handler sees it; :class:`PrivacyLogFilter` does the same for handlers configured
elsewhere (dictConfig). Cleaning a message:

1. texts and channel ids the process has seen recently (:func:`remember_user_text`,
   :func:`remember_sender`; the tracker store and the channel edge register them) are replaced
   by ``[TEKST]`` and the pseudonym;
2. structlog JSON: values of text-bearing keys (``text``, ``user_message``, ``message``,
   ``slot_values``, ... the keys Rasa itself marks as anonymisable) become ``[TEKST]``;
3. anything quoted that is not an identifier (``'action_x'`` stays, ``'ik wil weg'`` goes);
4. tokens: JSON web tokens (a widget token, the signed identity claim) and secrets in URL
   query strings (``?token=...``) become ``[TEKST]``; voucher and booking codes are masked;
5. the pattern detectors and name rules (no NER: logging must stay cheap);
6. cut to 1,000 characters. Tracebacks are cleaned the same way; ``exc_info`` is dropped.

DEBUG records are not cleaned: never run production at DEBUG (``KOERS_LOG_LEVEL``).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bot.privacy.scrubber import ScrubConfig, default_config, scrub_text

REDACTED = "[TEKST]"
MAX_MESSAGE_CHARS = 1000
REMEMBER_SECONDS = 600.0
REMEMBER_MAX = 512
MIN_REMEMBER_CHARS = 4
_MARK = "_koers_private"

SENSITIVE_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "value",
        "values",
        "entities",
        "metadata",
        "events",
        "slots",
        "latest_message",
        "body",
        "payload",
        "content",
        "query",
        "utterance",
        "token",
        "widget_token",
        "koers_identity",
        "employee_key",
        "employee_keys",
        "authorization",
        "cookie",
    }
)
_KEY_VALUE_RE = re.compile(
    r"\b(" + "|".join(sorted(SENSITIVE_KEYS, key=len, reverse=True)) + r")="
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\{.*?\}|\[.*?\]|\S+)"
)
_QUOTED_RE = re.compile(r"'([^'\n]{1,2000})'|\"([^\"\n]{1,2000})\"|“([^”\n]{1,2000})”")
_IDENTIFIER_RE = re.compile(r"[\w-]*[_/.:][\w./:-]*|[A-Z][A-Za-z]+(?:Error|Exception)")
# A JSON web token (header.payload.signature, base64url; headers start with '{"' = "eyJ").
_JWT_RE = re.compile(r"\beyJ[\w-]{5,}\.[\w-]{2,}\.[\w-]*")
_QUERY_SECRET_RE = re.compile(
    r"([?&;](?:token|access_token|id_token|jwt|auth|key|secret|signature|sig|code)=)"
    r"[^&\s\"'#;]+",
    re.IGNORECASE,
)


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that inserts ``text`` as it is (no backslash escapes)."""
    return lambda _match: text


class _Recent:
    """Bounded, time-limited memory of strings to blank from log messages (memory only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def add(self, raw: str, replacement: str) -> None:
        if not isinstance(raw, str) or len(raw.strip()) < MIN_REMEMBER_CHARS:
            return
        with self._lock:
            self._items.pop(raw, None)
            self._items[raw] = (replacement, time.monotonic() + REMEMBER_SECONDS)
            while len(self._items) > REMEMBER_MAX:
                self._items.popitem(last=False)

    def apply(self, message: str) -> str:
        now = time.monotonic()
        with self._lock:
            expired = [k for k, (_, until) in self._items.items() if until < now]
            for k in expired:
                del self._items[k]
            items = sorted(self._items.items(), key=lambda kv: len(kv[0]), reverse=True)
        for raw, (replacement, _) in items:
            if raw in message:
                # Only where it stands on its own: a short id inside a longer word
                # ("housekeeping") is not that id.
                pattern = r"(?<!\w)" + re.escape(raw) + r"(?!\w)"
                message = re.sub(pattern, _literal(replacement), message)
        return message

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_RECENT = _Recent()


def remember_user_text(text: str) -> None:
    """Blank ``text`` from log records for the next ten minutes."""
    _RECENT.add(text, REDACTED)


def remember_sender(raw_id: str, pseudonym: str) -> None:
    """Show ``pseudonym`` instead of the channel id ``raw_id`` in log records."""
    if raw_id != pseudonym:
        _RECENT.add(raw_id, pseudonym)


def forget_all() -> None:
    """Drop every remembered text and id (tests)."""
    _RECENT.clear()


def _redact_structured(value: Any, depth: int = 0) -> Any:
    if depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if isinstance(k, str)
                and k.lower() in SENSITIVE_KEYS
                and v not in (None, "", [], {})
                else _redact_structured(v, depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_structured(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def _redact_quoted(message: str) -> str:
    def repl(m: re.Match[str]) -> str:
        content = next(g for g in m.groups() if g is not None)
        if _IDENTIFIER_RE.fullmatch(content) or content.startswith("[") and content.endswith("]"):
            return m.group(0)
        quote_open, quote_close = m.group(0)[0], m.group(0)[-1]
        return f"{quote_open}{REDACTED}{quote_close}"

    return _QUOTED_RE.sub(repl, message)


def _redact_text(message: str) -> str:
    message = _RECENT.apply(message)
    message = _JWT_RE.sub(REDACTED, message)
    message = _QUERY_SECRET_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", message)
    message = _KEY_VALUE_RE.sub(lambda m: f"{m.group(1)}={REDACTED}", message)
    message = _redact_quoted(message)
    cfg = default_config()
    rules_only = ScrubConfig(MAX_MESSAGE_CHARS * 4, cfg.employee_number_pattern, False, None)
    return scrub_text(message, rules_only).text


_GUARD = threading.local()


def sanitise_message(message: str) -> str:
    """``message`` as it may appear in a log at INFO and above (see the module docstring)."""
    if getattr(_GUARD, "busy", False):
        # A record logged while cleaning another one (the scrubber warning about itself).
        return _redact_quoted(_RECENT.apply(message))[:MAX_MESSAGE_CHARS]
    _GUARD.busy = True
    try:
        return _sanitise(message)
    finally:
        _GUARD.busy = False


def _sanitise(message: str) -> str:
    try:
        stripped = message.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                data = json.loads(stripped)
            except ValueError:
                data = None
            if isinstance(data, dict):
                message = json.dumps(_redact_structured(data), ensure_ascii=False)
                return message[:MAX_MESSAGE_CHARS]
        cleaned = _redact_text(message)
    except Exception as exc:
        return f"[log message removed: {type(exc).__name__}]"
    if len(cleaned) > MAX_MESSAGE_CHARS:
        cleaned = cleaned[:MAX_MESSAGE_CHARS] + " [AFGEKAPT]"
    return cleaned


def sanitise_record(record: logging.LogRecord, level: int = logging.INFO) -> logging.LogRecord:
    """Clean ``record`` in place if its level is ``level`` or higher; idempotent."""
    if record.levelno < level or getattr(record, _MARK, False):
        return record
    try:
        message = record.getMessage()
    except Exception:
        message = str(record.msg)
    record.msg = sanitise_message(message)
    record.args = ()
    if record.exc_info:
        text = "".join(traceback.format_exception(*record.exc_info))
        record.exc_text = "\n".join(sanitise_message(line) for line in text.splitlines())
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = "\n".join(sanitise_message(x) for x in record.exc_text.splitlines())
    if record.stack_info:
        record.stack_info = None
    setattr(record, _MARK, True)
    return record


class PrivacyLogFilter(logging.Filter):
    """Logging filter that cleans records at ``level`` and above; never drops a record."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        sanitise_record(record, self.level)
        return True


_INSTALL_LOCK = threading.Lock()
_installed_level: int | None = None
_original_factory: Any = None


def install_log_privacy(level: int = logging.INFO) -> None:
    """Clean every log record at ``level`` and above in this process. Safe to call again.

    Call it early in every Koers process (Rasa server via the tracker store, action server,
    CLI). Handlers added later are covered too, because records are cleaned when created.
    """
    global _installed_level, _original_factory
    with _INSTALL_LOCK:
        if _installed_level is None:
            previous = _original_factory = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                return sanitise_record(record, _installed_level or logging.INFO)

            logging.setLogRecordFactory(factory)
        _installed_level = level
        root = logging.getLogger()
        for handler in root.handlers:
            if not any(isinstance(f, PrivacyLogFilter) for f in handler.filters):
                handler.addFilter(PrivacyLogFilter(level))


def uninstall_log_privacy() -> None:
    """Undo :func:`install_log_privacy` (tests)."""
    global _installed_level, _original_factory
    with _INSTALL_LOCK:
        if _original_factory is not None:
            logging.setLogRecordFactory(_original_factory)
        _installed_level = _original_factory = None
        for handler in logging.getLogger().handlers:
            for f in [f for f in handler.filters if isinstance(f, PrivacyLogFilter)]:
                handler.removeFilter(f)
