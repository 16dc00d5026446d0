"""Sending outbox messages over SMTP with aiosmtplib (settings from ``KOERS_SMTP_*``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.ledger.models import utcnow
from bot.notify import outbox

logger = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    security: str = "starttls"
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"KOERS_SMTP_SECURITY must be one of {SECURITY_MODES}")


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """None without ``KOERS_SMTP_HOST``: messages then wait in the outbox."""
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        security=settings.smtp_security,
        timeout_seconds=settings.smtp_timeout_seconds,
    )


def build_email(config: SmtpConfig, to_address: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to_address
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="koers.local")
    message.set_content(body)
    return message


async def send_email(config: SmtpConfig, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=config.host,
        port=config.port,
        username=config.username or None,
        password=config.password or None,
        use_tls=config.security == "tls",
        start_tls=config.security == "starttls",
        timeout=config.timeout_seconds,
    )


async def deliver_pending(
    session: Session,
    config: SmtpConfig | None,
    *,
    ids: Sequence[int] | None = None,
    limit: int = 20,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Sends pending messages (the given ``ids`` or the oldest ones) and records the result.

    Each message is claimed first, so two processes never send the same mail twice. A
    failure leaves the message pending for the next try; nothing is raised to the caller,
    because a booking must not fail when the mail server does.
    """
    if config is None:
        return DeliveryReport()
    if ids is None:
        ids = await asyncio.to_thread(outbox.pending_ids, session, limit=limit)
    sent = failed = 0
    for message_id in ids:
        claimed = await asyncio.to_thread(outbox.claim, session, message_id, clock())
        if claimed is None:
            continue
        email = build_email(config, claimed.to_address, claimed.subject, claimed.body)
        try:
            await send_email(config, email)
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            failed += 1
            logger.warning("outbox message %s not sent: %s", message_id, type(exc).__name__)
            await asyncio.to_thread(outbox.mark_failed, session, message_id, str(exc))
            continue
        sent += 1
        await asyncio.to_thread(outbox.mark_sent, session, message_id, clock())
    return DeliveryReport(sent=sent, failed=failed)
