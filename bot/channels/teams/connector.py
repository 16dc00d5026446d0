"""Sending activities to the Bot Connector (``{serviceUrl}/v3/conversations/{id}/activities``).

Non-blocking (aiohttp, one shared session), with the access token from the Microsoft identity
platform (client credentials; ``login.microsoftonline.com/botframework.com`` for multi-tenant
registrations, ``/<tenant id>`` for single-tenant ones) cached until shortly before it expires.
Rasa's own channel uses blocking ``requests`` calls on the event loop and a class-wide token.

Retries (:class:`RetryPolicy`): 429 waits as long as ``Retry-After`` says (capped), 5xx, timeouts
and connection errors back off exponentially with jitter; a bounded number of attempts. A 401
drops the cached token and tries once more with a fresh one. Other 4xx are not retried.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

BOTFRAMEWORK_SCOPE = "https://api.botframework.com/.default"
LOGIN_HOST = "https://login.microsoftonline.com"
MULTI_TENANT = "botframework.com"
TOKEN_EXPIRY_MARGIN_SECONDS = 300.0


def token_endpoint_for(tenant_id: str | None) -> str:
    """Where to get the outgoing token: the bot's own tenant for single-tenant registrations."""
    return f"{LOGIN_HOST}/{(tenant_id or '').strip() or MULTI_TENANT}/oauth2/v2.0/token"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 30.0
    timeout_seconds: float = 15.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (attempt counts from 1): half fixed, half jitter."""
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_seconds)
        return self.backoff(attempt)


RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class DeliveryError(Exception):
    """An activity could not be delivered (after retries, or rejected)."""


@dataclass(frozen=True)
class BotCredentials:
    app_id: str
    app_password: str
    token_endpoint: str
    scope: str = BOTFRAMEWORK_SCOPE


SessionFactory = Callable[[], Awaitable[aiohttp.ClientSession]]
Sleep = Callable[[float], Awaitable[Any]]


class AccessTokens:
    """The bot's outgoing access token, fetched when needed and cached until near expiry."""

    def __init__(
        self,
        credentials: BotCredentials,
        session: SessionFactory,
        policy: RetryPolicy,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._session = session
        self._policy = policy
        self._sleep = sleep
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    async def get(self) -> str:
        async with self._lock:
            if self._token and self._clock() < self._expires_at:
                return self._token
            self._token, lifetime = await self._fetch()
            self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN_SECONDS)
            return self._token

    async def _fetch(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.app_id,
            "client_secret": self._credentials.app_password,
            "scope": self._credentials.scope,
        }
        timeout = aiohttp.ClientTimeout(total=self._policy.timeout_seconds)
        for attempt in range(1, self._policy.max_attempts + 1):
            retry_after: float | None = None
            try:
                session = await self._session()
                async with session.post(
                    self._credentials.token_endpoint, data=form, timeout=timeout
                ) as response:
                    if response.status == 200:
                        body = await response.json(content_type=None)
                        token = body.get("access_token") if isinstance(body, dict) else None
                        if not isinstance(token, str) or not token:
                            raise DeliveryError("token endpoint answered without access_token")
                        self.fetches += 1
                        return token, float(body.get("expires_in") or 3600)
                    if response.status not in RETRY_STATUSES:
                        raise DeliveryError(f"token endpoint refused: HTTP {response.status}")
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    reason = f"HTTP {response.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                reason = type(exc).__name__
            if attempt == self._policy.max_attempts:
                raise DeliveryError(f"no access token after {attempt} attempts ({reason})")
            delay = self._policy.delay(attempt, retry_after)
            logger.warning("Token endpoint: %s, retrying in %.1f s", reason, delay)
            await self._sleep(delay)
        raise DeliveryError("no access token")  # pragma: no cover - loop always returns/raises


def _json_or_empty(raw: bytes) -> dict[str, Any]:
    """The connector's answer ({"id": ...}); delivered is delivered, whatever the body."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def activities_url(service_url: str, conversation_id: str) -> str:
    base = service_url.rstrip("/")
    return f"{base}/v3/conversations/{quote(conversation_id, safe='')}/activities"


class ConnectorClient:
    """Posts activities to the Bot Connector with retries; one per channel, shared by replies."""

    def __init__(
        self,
        tokens: AccessTokens,
        session: SessionFactory,
        policy: RetryPolicy,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.tokens = tokens
        self._session = session
        self._policy = policy
        self._sleep = sleep

    async def send(
        self, service_url: str, conversation_id: str, activity: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Post one activity; returns the connector's answer. Raises DeliveryError."""
        url = activities_url(service_url, conversation_id)
        timeout = aiohttp.ClientTimeout(total=self._policy.timeout_seconds)
        refreshed_token = False
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            token = await self.tokens.get()
            try:
                session = await self._session()
                async with session.post(
                    url,
                    json=dict(activity),
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=timeout,
                ) as response:
                    if 200 <= response.status < 300:
                        try:
                            raw = await response.read()
                        except (aiohttp.ClientError, asyncio.TimeoutError):
                            raw = b""  # accepted already: never send it twice
                        return _json_or_empty(raw)
                    if response.status == 401 and not refreshed_token:
                        # the token may have been revoked or rotated: one retry with a new one
                        self.tokens.invalidate(token)
                        refreshed_token = True
                        attempt -= 1
                        continue
                    if response.status not in RETRY_STATUSES:
                        raise DeliveryError(f"connector refused the activity: {response.status}")
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    reason = f"HTTP {response.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                reason = type(exc).__name__
            if attempt >= self._policy.max_attempts:
                raise DeliveryError(f"activity not delivered after {attempt} attempts ({reason})")
            delay = self._policy.delay(attempt, retry_after)
            logger.warning("Bot Connector: %s, retrying in %.1f s", reason, delay)
            await self._sleep(delay)
