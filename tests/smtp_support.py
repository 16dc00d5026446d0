"""One real local SMTP server (aiosmtpd) for every test that checks coach e-mail.

A :class:`Mailbox` collects what the coaches would receive. It can also stand in for a slow
mail server: ``delay`` seconds per message, a ``stalled`` server that answers only once
``release`` is set (at most ``stall_limit`` seconds), or another ``reply`` than 250.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller

from tools.devservices import free_port


class Mailbox:
    def __init__(
        self,
        *,
        delay: float = 0.0,
        reply: str = "250 OK",
        stalled: bool = False,
        stall_limit: float = 120.0,
    ) -> None:
        self.messages: list[Any] = []
        self.delay, self.reply = delay, reply
        self.stalled, self.stall_limit = stalled, stall_limit
        self.release = threading.Event()
        self.waiting = 0  # messages that reached the server while it stalled

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalled:
            self.waiting += 1
            deadline = time.monotonic() + self.stall_limit
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply.startswith("250"):
            self.messages.append(envelope)
        return self.reply

    def subjects(self) -> list[str]:
        return [str(message_from_bytes(e.content)["Subject"]) for e in self.messages]


@contextlib.contextmanager
def running_mailbox(box: Mailbox) -> Iterator[tuple[Mailbox, int]]:
    """``box`` listening on a free loopback port; a stalled box is released at the end."""
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        box.release.set()
        controller.stop()


def mailbox_env(port: int) -> dict[str, str]:
    """The settings that send Koers's coach e-mail to the mailbox on ``port`` (plain SMTP),
    with the outbox sender looking every second."""
    return {
        "KOERS_SMTP_HOST": "127.0.0.1",
        "KOERS_SMTP_PORT": str(port),
        "KOERS_SMTP_SECURITY": "none",
        "KOERS_OUTBOX_POLL_SECONDS": "1",
    }
