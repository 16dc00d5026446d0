"""Bot Framework activities as Koers sees them: pure functions, no I/O.

Incoming (:func:`interpret`), the documented rule for every activity type:

* ``message`` with text (after removing ``<at>…</at>`` mentions): goes to Rasa. A button
  click carries the button's payload in ``value`` (``{"koers_payload": "/start_scan"}``); that
  payload goes to Rasa instead of the visible title. Longer than the limit: a polite answer
  from the channel, nothing to Rasa.
* ``message`` without text but with files or pictures: a short answer that Koers only reads
  text. Teams adds a ``text/html`` copy of every typed message; that copy does not count.
* ``message`` without text and without attachments (e.g. only a mention): ignored.
* ``conversationUpdate`` where the bot itself is among ``membersAdded``: the welcome, by
  sending Rasa the ``/greet`` intent, so it is the same greeting as for "hoi".
* ``deleteUserData`` (the Bot Framework's "the user asked you to delete their data"; also as
  an ``event``/``invoke`` of that name): the conversation is erased as after "verwijder
  mijn gegevens" (:mod:`bot.channels.teams.channel`), without a reply.
* Everything else (``installationUpdate``, ``typing``, ``messageReaction``, ``invoke``,
  ``event``, ``endOfConversation``, ``messageUpdate``, ``messageDelete``, unknown types):
  answered with HTTP 200 and no reply, nothing goes to Rasa.

Outgoing: one activity per bot message, markdown text, buttons as a Hero card (at most six
buttons per card, as Teams shows no more) with ``messageBack`` actions, links as ``openUrl``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

GREET_PAYLOAD = "/greet"
DELETE_USER_DATA = "deleteUserData"
PAYLOAD_KEY = "koers_payload"
HERO_CARD = "application/vnd.microsoft.card.hero"
MAX_BUTTONS_PER_CARD = 6
# Teams sends a rendered copy of the typed text as an attachment of this type.
TEXT_COPY_TYPES = frozenset({"text/html", "text/plain"})

_MENTION_RE = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_SPACES_RE = re.compile(r"[ \t\u00a0\u200b]+")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


class Kind(Enum):
    MESSAGE = "message"
    WELCOME = "welcome"
    ATTACHMENT_ONLY = "attachment_only"
    TOO_LONG = "too_long"
    DELETE_USER_DATA = "delete_user_data"
    IGNORE = "ignore"


@dataclass(frozen=True)
class Incoming:
    """What to do with one activity; ``text`` is what Rasa gets (MESSAGE, WELCOME)."""

    kind: Kind
    text: str = ""
    reason: str = ""


def strip_mentions(text: str, entities: Iterable[Any] | None = None) -> str:
    """The text without ``<at>…</at>`` mentions (and mention texts named in ``entities``)."""
    cleaned = _MENTION_RE.sub(" ", text or "")
    for entity in entities or ():
        if isinstance(entity, Mapping) and entity.get("type") == "mention":
            mentioned = entity.get("text")
            if isinstance(mentioned, str) and mentioned.strip():
                cleaned = cleaned.replace(mentioned, " ")
    cleaned = html.unescape(cleaned)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in cleaned.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def button_payload(value: Any) -> str | None:
    """The payload a clicked Koers button sent back (``value`` of a messageBack), or None."""
    if isinstance(value, Mapping):
        payload = value.get(PAYLOAD_KEY)
        if isinstance(payload, str) and payload.strip():
            return payload.strip()
    return None


def has_real_attachments(attachments: Any) -> bool:
    """True when the activity carries a file, picture or card (not only a copy of the text)."""
    if not isinstance(attachments, list):
        return False
    return any(
        isinstance(item, Mapping) and item.get("contentType") not in TEXT_COPY_TYPES
        for item in attachments
    )


def bot_was_added(activity: Mapping[str, Any]) -> bool:
    bot_id = (activity.get("recipient") or {}).get("id")
    added = activity.get("membersAdded") or []
    return bool(bot_id) and any(
        isinstance(member, Mapping) and member.get("id") == bot_id for member in added
    )


def interpret(activity: Mapping[str, Any], max_chars: int) -> Incoming:
    """Decide what an (authenticated) activity means; see the module docstring."""
    kind = activity.get("type")
    if kind == DELETE_USER_DATA or (
        kind in ("event", "invoke") and activity.get("name") == DELETE_USER_DATA
    ):
        return Incoming(Kind.DELETE_USER_DATA, reason="the user asked to delete their data")
    if kind == "conversationUpdate":
        if bot_was_added(activity):
            return Incoming(Kind.WELCOME, GREET_PAYLOAD)
        return Incoming(Kind.IGNORE, reason="conversationUpdate without the bot added")
    if kind != "message":
        return Incoming(Kind.IGNORE, reason=f"activity type {str(kind)[:40]!r}")
    payload = button_payload(activity.get("value"))
    raw_text = activity.get("text")
    text = payload or strip_mentions(
        raw_text if isinstance(raw_text, str) else "", activity.get("entities")
    )
    if text:
        if len(text) > max_chars:
            return Incoming(Kind.TOO_LONG, reason=f"{len(text)} characters")
        return Incoming(Kind.MESSAGE, text)
    if has_real_attachments(activity.get("attachments")):
        return Incoming(Kind.ATTACHMENT_ONLY, reason="attachments without text")
    return Incoming(Kind.IGNORE, reason="empty message")


def teams_markdown(text: str) -> str:
    """Rasa text as Teams markdown: every line its own paragraph, list items kept together.

    Teams joins lines separated by a single newline; Koers' texts use single newlines for
    separate sentences or paragraphs.
    """
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    out: list[str] = []
    for index, line in enumerate(lines):
        if (
            index
            and line
            and out[-1]
            and not (_LIST_ITEM_RE.match(line) and _LIST_ITEM_RE.match(lines[index - 1]))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def card_action(button: Mapping[str, Any]) -> dict[str, Any]:
    """A Rasa button as a Teams card action: links open, everything else is a messageBack."""
    title = str(button.get("title") or button.get("payload") or "")
    url = button.get("url")
    if button.get("type") == "web_url" or (isinstance(url, str) and url):
        return {"type": "openUrl", "title": title, "value": str(url or button.get("payload"))}
    payload = button.get("payload")
    if not isinstance(payload, str) or not payload or payload == title:
        return {"type": "imBack", "title": title, "value": title}
    return {
        "type": "messageBack",
        "title": title,
        "text": title,
        "displayText": title,
        "value": {PAYLOAD_KEY: payload},
    }


def hero_cards(buttons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Hero card attachments holding the buttons, six per card."""
    actions = [card_action(button) for button in buttons]
    return [
        {"contentType": HERO_CARD, "content": {"buttons": actions[i : i + MAX_BUTTONS_PER_CARD]}}
        for i in range(0, len(actions), MAX_BUTTONS_PER_CARD)
    ]


def message_activity(
    text: str = "", buttons: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The body of one outgoing message (without the addressing fields)."""
    body: dict[str, Any] = {"type": "message"}
    if text and text.strip():
        body["text"] = teams_markdown(text)
        body["textFormat"] = "markdown"
    if buttons:
        body["attachments"] = hero_cards(buttons)
        body["attachmentLayout"] = "list"
    return body


def image_activity(url: str, text: str = "") -> dict[str, Any]:
    body = message_activity(text)
    body["attachments"] = [{"contentType": HERO_CARD, "content": {"images": [{"url": url}]}}]
    return body
