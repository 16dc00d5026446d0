"""The edge step for input channels: the conversation key before Rasa sees the message.

Rasa uses the sender id of a :class:`~rasa.core.channels.channel.UserMessage` as the key of the
tracker store, the lock store and in its logs. :func:`protect_incoming` replaces it by the
conversation key of :mod:`bot.channels.identity`, ``HMAC(secret, channel ":" id)``: the channel
is part of the input, so a REST client that sends the id of a widget session or of a Teams
conversation lands in a conversation of its own. Replies still reach the person because the
output channel is wrapped and sends to the original id. It also registers the message text so
the log filter can blank it (:mod:`bot.privacy.logging`).

Use it in a custom input channel (the wiring is done in the channel, not here)::

    async def on_message(message: UserMessage) -> None:
        await on_new_message(protect_incoming(message, identity.CHANNEL_WIDGET))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.identity import CHANNELS, channel_raw_id
from bot.privacy.canonical import canonical_intent_payload
from bot.privacy.logging import remember_sender, remember_user_text
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer

MAX_PREVIOUS_KEYS = 4096


class PseudonymisedOutputChannel(OutputChannel):
    """Sends every reply to the channel's own id, whatever (pseudonymous) id Rasa uses."""

    def __init__(self, inner: OutputChannel, raw_recipient_id: str) -> None:
        self._inner = inner
        self._raw = raw_recipient_id

    def name(self) -> str:
        """The wrapped channel's name: channel-specific responses keep working."""
        return self._inner.name()

    def __getattr__(self, item: str) -> Any:
        # e.g. CollectingOutputChannel.messages, which the REST channel reads afterwards
        return getattr(self._inner, item)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._inner.send_response(self._raw, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._inner.send_text_message(self._raw, text, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._inner.send_image_url(self._raw, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._inner.send_attachment(self._raw, attachment, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._inner.send_text_with_buttons(self._raw, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._inner.send_quick_replies(self._raw, text, quick_replies, **kwargs)

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        await self._inner.send_elements(self._raw, elements, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._inner.send_custom_json(self._raw, json_message, **kwargs)


class _PreviousKeys:
    """Current conversation key -> its key under the previous pseudonym secret (rotation).

    The tracker store only sees the current key; this hint, set at the edge a moment before
    the store reads the conversation, lets it move a conversation stored under the old key.
    Process memory is enough: the read happens in the same process, for the same message.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, str] = OrderedDict()

    def add(self, current: str, previous: str) -> None:
        with self._lock:
            self._items.pop(current, None)
            self._items[current] = previous
            while len(self._items) > MAX_PREVIOUS_KEYS:
                self._items.popitem(last=False)

    def get(self, current: str) -> str | None:
        with self._lock:
            return self._items.get(current)


_PREVIOUS = _PreviousKeys()


def previous_conversation_key(current_key: str) -> str | None:
    """The key the conversation ``current_key`` had under the previous pseudonym secret."""
    return _PREVIOUS.get(current_key)


def protect_incoming(
    message: UserMessage, channel: str, pseudonymizer: Pseudonymizer | None = None
) -> UserMessage:
    """A copy of ``message`` keyed by its conversation key, with a reply-routing output channel.

    ``channel`` is the channel that proved the id (``rest``, ``widget``, ``msteams``). Always
    hashes (never passes a pseudonym-looking id through), so a client cannot choose somebody
    else's key as its id.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    pseudonymizer = pseudonymizer or get_pseudonymizer()
    raw_id = str(message.sender_id)
    found = pseudonymizer.candidates(channel_raw_id(channel, raw_id))
    key = found[0]
    if len(found) > 1:
        _PREVIOUS.add(key, found[1])
    remember_sender(raw_id, key)
    if message.text:
        remember_user_text(message.text)
    output = message.output_channel
    wrapped = PseudonymisedOutputChannel(output, raw_id) if output is not None else None
    return UserMessage(
        text=canonical_intent_payload(message.text),  # no raw text into a slot via /intent{..}
        output_channel=wrapped,
        sender_id=key,
        parse_data=message.parse_data,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )
