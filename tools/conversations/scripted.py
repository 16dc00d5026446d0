"""Conversation files (``tests/conversation/scripts/*.yml``): loading and checking.

A pure module: it reads files and judges replies, it talks to no server. The runner
(tests/conversation/test_scripts.py) and the printer (``python -m tools.conversations``) share it,
so a file means the same thing in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.conversation import fallback
from bot.ledger import texts as ledger_texts
from bot.scan import texts as scan_texts

TOP_KEYS = {"conversation", "persona", "identity", "turns"}
TURN_KEYS = {"user", "says", "says_any", "not_says", "buttons", "form", "slots"}
LIST_KEYS = ("says", "says_any", "not_says", "buttons")
IDENTITY_KEYS = {"municipality", "subject"}


def _first_sentence(text: str) -> str:
    """The recognisable start of a text: the part up to the first full stop or question mark."""
    for index, char in enumerate(text):
        if char in ".?!":
            return text[: index + 1].strip().lower()
    return text.strip().lower()


#: How Koers says "I didn't understand": the fallback, the scan's and the booking form's re-asks.
NOT_UNDERSTOOD_MARKERS: tuple[str, ...] = tuple(
    dict.fromkeys(
        _first_sentence(text)
        for text in (
            fallback.NOT_UNDERSTOOD,
            fallback.NOT_UNDERSTOOD_AGAIN,
            scan_texts.NOT_UNDERSTOOD,
            ledger_texts.UNCLEAR_MODE,
            ledger_texts.UNCLEAR_WHEN,
            ledger_texts.UNCLEAR_SLOT,
            ledger_texts.UNCLEAR_YES_NO,
            ledger_texts.UNKNOWN_REGION,
        )
    )
)

UNSET = object()


class ConversationFileError(ValueError):
    """A malformed conversation file; the message names the file, the turn and the problem."""


@dataclass(frozen=True)
class Turn:
    """One message of the employee and what Koers's reply must show."""

    number: int
    user: str
    says: tuple[str, ...] = ()
    says_any: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    #: the active form after the turn; UNSET means "not checked", None means "no form"
    form: Any = UNSET
    slots: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_tracker(self) -> bool:
        return self.form is not UNSET or bool(self.slots)


@dataclass(frozen=True)
class Conversation:
    path: Path
    title: str
    turns: tuple[Turn, ...]
    persona: str | None = None
    identity: Mapping[str, str] | None = None


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConversationFileError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _turn(raw: Any, number: int, path: Path) -> Turn:
    where = f"{path}, turn {number}"
    if not isinstance(raw, dict):
        raise ConversationFileError(f"{where}: a turn must be a mapping with 'user:'")
    unknown = set(raw) - TURN_KEYS
    if unknown:
        raise ConversationFileError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(TURN_KEYS))}"
        )
    user = raw.get("user")
    if not isinstance(user, str):
        raise ConversationFileError(f"{where}: 'user' (the message to send) must be a string")
    lists = {key: _strings(raw[key], where, key) for key in LIST_KEYS if key in raw}
    form = raw.get("form", UNSET)
    if form is not UNSET and form is not None and not isinstance(form, str):
        raise ConversationFileError(f"{where}: 'form' must be a form name or null")
    slots = raw.get("slots", {})
    if not isinstance(slots, dict) or not all(isinstance(key, str) for key in slots):
        raise ConversationFileError(f"{where}: 'slots' must be a mapping of slot name to value")
    return Turn(number=number, user=user, form=form, slots=slots, **lists)


def parse(data: Any, path: Path) -> Conversation:
    """A conversation from the YAML data of ``path``; ConversationFileError when malformed."""
    if not isinstance(data, dict):
        raise ConversationFileError(f"{path}: the file must be a mapping with 'turns:'")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ConversationFileError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(TOP_KEYS))}"
        )
    title = data.get("conversation")
    if not isinstance(title, str) or not title.strip():
        raise ConversationFileError(f"{path}: 'conversation' (a title) is missing")
    persona = data.get("persona")
    if persona is not None and not isinstance(persona, str):
        raise ConversationFileError(f"{path}: 'persona' must be a string")
    identity = data.get("identity")
    if identity is not None and (
        not isinstance(identity, dict)
        or set(identity) != IDENTITY_KEYS
        or not all(isinstance(value, str) and value for value in identity.values())
    ):
        raise ConversationFileError(
            f"{path}: 'identity' must be {{municipality: GM…, subject: …}} (two strings)"
        )
    turns = data.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ConversationFileError(f"{path}: 'turns' must be a non-empty list")
    return Conversation(
        path=path,
        title=title.strip(),
        turns=tuple(_turn(raw, number, path) for number, raw in enumerate(turns, start=1)),
        persona=persona,
        identity=identity,
    )


def load(path: Path) -> Conversation:
    """Read and check one conversation file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConversationFileError(f"{path}: not valid YAML: {error}") from error
    return parse(data, path)


def load_all(directory: Path, pattern: str = "*.yml") -> list[Conversation]:
    return [load(path) for path in sorted(directory.glob(pattern))]


@dataclass(frozen=True)
class Check:
    """One expectation of a turn and whether the reply met it (None: could not be checked)."""

    label: str
    passed: bool | None
    detail: str = ""


def reply_text(replies: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(str(reply.get("text") or "") for reply in replies)


def reply_buttons(replies: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        str(button.get("title", ""))
        for reply in replies
        for button in reply.get("buttons") or []
        if isinstance(button, Mapping)
    ]


def not_understood_count(replies: Sequence[Mapping[str, Any]]) -> int:
    """How many of the reply's messages say "I didn't understand"."""
    return sum(
        any(marker in str(reply.get("text") or "").lower() for marker in NOT_UNDERSTOOD_MARKERS)
        for reply in replies
    )


def check_turn(
    turn: Turn,
    replies: Sequence[Mapping[str, Any]],
    tracker: Mapping[str, Any] | None,
) -> list[Check]:
    """Judge Koers's ``replies`` (REST messages) and ``tracker`` (None: not readable) for
    ``turn``, the global invariant included."""
    text = reply_text(replies).lower()
    checks: list[Check] = []
    for expected in turn.says:
        checks.append(Check(f"says {expected!r}", expected.lower() in text))
    if turn.says_any:
        checks.append(
            Check(
                f"says one of {list(turn.says_any)!r}",
                any(expected.lower() in text for expected in turn.says_any),
            )
        )
    for unwanted in turn.not_says:
        checks.append(Check(f"does not say {unwanted!r}", unwanted.lower() not in text))
    offered = [title.lower() for title in reply_buttons(replies)]
    for title in turn.buttons:
        checks.append(
            Check(
                f"offers button {title!r}",
                title.lower() in offered,
                "" if title.lower() in offered else f"buttons: {reply_buttons(replies)}",
            )
        )
    if turn.form is not UNSET:
        if tracker is None:
            checks.append(Check(f"form is {turn.form!r}", None, "tracker not readable"))
        else:
            active = (tracker.get("active_loop") or {}).get("name")
            checks.append(
                Check(f"form is {turn.form!r}", active == turn.form, f"active form: {active!r}")
            )
    for name, expected in turn.slots.items():
        if tracker is None:
            checks.append(Check(f"slot {name} = {expected!r}", None, "tracker not readable"))
            continue
        actual = (tracker.get("slots") or {}).get(name)
        checks.append(
            Check(f"slot {name} = {expected!r}", actual == expected, f"value: {actual!r}")
        )
    count = not_understood_count(replies)
    checks.append(
        Check(
            "at most one 'didn't understand'",
            count <= 1,
            "" if count <= 1 else f"{count} messages say it",
        )
    )
    return checks


def failed(checks: Sequence[Check]) -> list[Check]:
    return [check for check in checks if check.passed is False]


def format_reply(replies: Sequence[Mapping[str, Any]]) -> list[str]:
    """Koers's reply as transcript lines, buttons in brackets."""
    lines: list[str] = []
    for reply in replies:
        text = str(reply.get("text") or "")
        if text:
            first, *rest = text.split("\n")
            lines.append(f"Koers: {first}")
            lines.extend(f"       {line}" for line in rest)
        buttons = [
            str(b.get("title", "")) for b in reply.get("buttons") or [] if isinstance(b, Mapping)
        ]
        if buttons:
            lines.append("       " + " ".join(f"[{title}]" for title in buttons))
    return lines or ["Koers: (geen antwoord)"]


def format_turn(
    turn: Turn,
    replies: Sequence[Mapping[str, Any]],
    checks: Sequence[Check],
    marked: bool = False,
) -> list[str]:
    """One turn for reading: the message, the reply, and ✓/✗ per expectation."""
    prefix = ">>> " if marked else ""
    lines = [f"{prefix}[{turn.number}] Jij: {turn.user}", *format_reply(replies)]
    for check in checks:
        mark = {True: "✓", False: "✗", None: "·"}[check.passed]
        detail = f" ({check.detail})" if check.detail and check.passed is not True else ""
        lines.append(f"       {mark} {check.label}{detail}")
    return lines
