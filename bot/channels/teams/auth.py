"""Checks that a request really comes from the Bot Framework (Bot Connector → bot).

Rasa's ``botframework`` channel fetches the signing keys synchronously in its constructor (so
start-up fails when Microsoft is unreachable), lets the token header choose the algorithm and
checks neither issuer nor service URL. Here, per Microsoft's "Authenticate requests from the Bot
Connector service":

* the token is a JWT in ``Authorization: Bearer …``, signed with RS256 by a key from the
  JWKS that the OpenID metadata document points to (``jwks_uri``);
* ``iss`` is ``https://api.botframework.com``, ``aud`` is our app id, ``exp`` (and ``nbf`` when
  present) hold with a small leeway for clock skew;
* the ``serviceurl`` claim equals the activity's ``serviceUrl`` (so nobody can make the bot send
  its access token elsewhere);
* when the key lists ``endorsements``, they include the activity's ``channelId``.

Keys are fetched lazily and cached (:class:`SigningKeys`): refreshed after ``refresh_hours``, and
early when a token names an unknown ``kid`` (at most once per ``min_refresh_seconds``; while no
keys are loaded at all, at most once a second). A failed fetch keeps the old keys; with no keys
at all the request is answered 503, so the Bot Framework tries again later, and nothing reaches
Rasa.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

BOTFRAMEWORK_ISSUER = "https://api.botframework.com"
ALGORITHM = "RS256"
NO_KEYS_RETRY_SECONDS = 1.0


class AuthError(Exception):
    """The request is not from the Bot Framework: answer 401."""


class KeysUnavailable(Exception):
    """No signing keys could be fetched yet: answer 503, the Bot Framework retries."""


@dataclass(frozen=True)
class TokenRules:
    app_id: str
    issuer: str = BOTFRAMEWORK_ISSUER
    leeway_seconds: float = 300.0


SessionFactory = Callable[[], Awaitable[aiohttp.ClientSession]]


class SigningKeys:
    """The Bot Framework's public signing keys (JWKS), fetched lazily and cached."""

    def __init__(
        self,
        metadata_url: str,
        session: SessionFactory,
        *,
        refresh_hours: float = 24.0,
        min_refresh_seconds: float = 30.0,
        timeout_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self._session = session
        self._refresh_seconds = refresh_hours * 3600
        self._min_refresh_seconds = min_refresh_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        return bool(self._keys)

    async def _download(self) -> dict[str, dict[str, Any]]:
        session = await self._session()
        async with session.get(self.metadata_url, timeout=self._timeout) as response:
            response.raise_for_status()
            metadata = await response.json(content_type=None)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise ValueError("OpenID metadata without jwks_uri")
        async with session.get(jwks_uri, timeout=self._timeout) as response:
            response.raise_for_status()
            jwks = await response.json(content_type=None)
        keys = {
            key["kid"]: key
            for key in (jwks.get("keys") or [] if isinstance(jwks, dict) else [])
            if isinstance(key, dict) and isinstance(key.get("kid"), str)
        }
        if not keys:
            raise ValueError("JWKS without keys")
        return keys

    async def refresh(self, *, force: bool = False) -> bool:
        """Fetch the keys unless that was tried very recently. True when keys were updated."""
        async with self._lock:
            now = self._clock()
            # without any keys every request waits for them: try again much sooner
            cooldown = (
                self._min_refresh_seconds
                if self._keys
                else min(self._min_refresh_seconds, NO_KEYS_RETRY_SECONDS)
            )
            recently = self._attempted_at is not None and now - self._attempted_at < cooldown
            if recently and not force:
                return False
            self._attempted_at = now
            try:
                keys = await self._download()
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                logger.warning(
                    "Bot Framework signing keys not fetched from %s (%s); %s",
                    self.metadata_url,
                    type(exc).__name__,
                    "keeping the cached keys" if self._keys else "will try again",
                )
                return False
            self._keys = keys
            self._fetched_at = self._clock()
            logger.info("Bot Framework signing keys fetched: %d keys", len(keys))
            return True

    async def get(self, kid: str) -> dict[str, Any]:
        """The JWK with this id, refreshed when stale or unknown; AuthError/KeysUnavailable."""
        stale = self._fetched_at is None or self._clock() - self._fetched_at > self._refresh_seconds
        if stale or kid not in self._keys:
            await self.refresh()
        if not self._keys:
            raise KeysUnavailable("no Bot Framework signing keys yet")
        key = self._keys.get(kid)
        if key is None:
            raise AuthError("token signed with an unknown key")
        return key


def bearer_token(header: str | None) -> str:
    if not header:
        raise AuthError("no Authorization header")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("no Bearer token")
    return token.strip()


def _same_service_url(claim: Any, service_url: Any) -> bool:
    if not isinstance(claim, str) or not isinstance(service_url, str):
        return False
    return claim.rstrip("/").lower() == service_url.rstrip("/").lower()


async def validate_request(
    authorization: str | None,
    activity: Mapping[str, Any],
    keys: SigningKeys,
    rules: TokenRules,
) -> dict[str, Any]:
    """The token's claims when the request is genuine; raises AuthError or KeysUnavailable."""
    token = bearer_token(authorization)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError("malformed token") from exc
    if header.get("alg") != ALGORITHM:
        raise AuthError("token not signed with RS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthError("token without key id")
    jwk = await keys.get(kid)
    try:
        public_key = RSAAlgorithm.from_jwk(jwk)
        claims = jwt.decode(
            token,
            key=public_key,  # type: ignore[arg-type]
            algorithms=[ALGORITHM],
            audience=rules.app_id,
            issuer=rules.issuer,
            leeway=rules.leeway_seconds,
            options={"require": ["exp", "iss", "aud"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise AuthError(f"token rejected: {type(exc).__name__}") from exc
    service_claim = claims.get("serviceurl", claims.get("serviceUrl"))
    if not _same_service_url(service_claim, activity.get("serviceUrl")):
        raise AuthError("serviceurl claim does not match the activity")
    endorsements = jwk.get("endorsements")
    if (
        isinstance(endorsements, list)
        and endorsements
        and activity.get("channelId") not in endorsements
    ):
        raise AuthError("signing key not endorsed for this channel")
    return claims
