"""Sending outbox messages over SMTP with aiosmtplib (settings from ``KOERS_SMTP_*``)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.config import Settings
from bot.notify import outbox
from bot.notify.models import OUTBOX_FAILED

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
    given_up: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a message that could not be sent is tried again."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    max_seconds: float = 3600.0

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
        """Exponential backoff with jitter (half the step fixed, half random), so senders
        that failed together against one mail server do not all come back in the same second.
        """
        step = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=step / 2 + rand() * step / 2)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=max(1, settings.outbox_max_attempts),
        base_seconds=max(0.0, float(settings.outbox_retry_seconds)),
    )


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
    policy: RetryPolicy | None = None,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """Sends due messages (the given ``ids`` or the oldest ones) and records the result.

    Each message is claimed first, so two processes never send the same mail twice. A
    failure puts the message back with a backoff (``policy``) until its last try; nothing
    is raised to the caller. Log lines name the message id and the error type only: never
    an address, a subject or the server's answer (which can quote the address). Once
    ``stop`` is set no further message is claimed (a shutdown waits for one send at most).
    """
    if config is None:
        return DeliveryReport()
    policy = policy or RetryPolicy()
    if ids is None:
        ids = await asyncio.to_thread(outbox.due_ids, session, limit=limit, now=clock())
    sent = failed = given_up = 0
    for message_id in ids:
        if stop is not None and stop.is_set():
            break
        claimed = await asyncio.to_thread(outbox.claim, session, message_id, clock())
        if claimed is None:
            continue
        attempts = claimed.attempts
        email = build_email(config, claimed.to_address, claimed.subject, claimed.body)
        try:
            await send_email(config, email)
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            failed += 1
            status = await asyncio.to_thread(
                outbox.mark_failed,
                session,
                message_id,
                f"{type(exc).__name__}: {exc}",
                max_attempts=policy.max_attempts,
                next_attempt_at=clock() + policy.delay(attempts),
            )
            if status == OUTBOX_FAILED:
                given_up += 1
                logger.error(
                    "outbox message %s given up after %d tries: %s",
                    message_id,
                    attempts,
                    type(exc).__name__,
                )
            else:
                logger.warning(
                    "outbox message %s not sent (try %d): %s",
                    message_id,
                    attempts,
                    type(exc).__name__,
                )
            continue
        sent += 1
        await asyncio.to_thread(outbox.mark_sent, session, message_id, clock())
    return DeliveryReport(sent=sent, failed=failed, given_up=given_up)
