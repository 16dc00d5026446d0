"""A local stand-in for Microsoft's side of a Teams bot, as an aiohttp app.

It has its own RSA signing key and serves what the channel talks to:

* ``GET /v1/.well-known/openidconfiguration`` → OpenID metadata pointing at the JWKS;
* ``GET /v1/.well-known/keys`` → the public key (with ``endorsements: ["msteams"]``);
* ``POST /{tenant}/oauth2/v2.0/token`` → an access token for the app id + password;
* ``POST /v3/conversations/{id}/activities`` → the Bot Connector, which records what arrives.

Faults are scripted: ``connector_faults`` (statuses to answer before accepting, e.g.
``[429, 503]``), ``connector_delay_seconds``, ``metadata_up``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "5f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
APP_PASSWORD = "fake-client-secret-for-tests"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ISSUER = "https://api.botframework.com"
KID = "fake-signing-key-1"


@dataclass
class Delivery:
    conversation_id: str
    activity: dict[str, Any]
    token: str


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeBotFramework:
    signing_key: rsa.RSAPrivateKey = field(default_factory=_private_key)
    base_url: str = ""
    metadata_up: bool = True
    connector_faults: list[int] = field(default_factory=list)
    retry_after: str = "1"
    connector_delay_seconds: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    connector_calls: int = 0
    call_times: list[float] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    metadata_requests: int = 0
    issued_tokens: set[str] = field(default_factory=set)

    # --- Microsoft's side --------------------------------------------------------------

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        return {**jwk, "kid": KID, "use": "sig", "endorsements": ["msteams"]}

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activities)
        return app

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        if not self.metadata_up:
            return web.Response(status=503)
        base = f"{request.scheme}://{request.host}"
        return web.json_response(
            {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.example/authorize",
                "jwks_uri": f"{base}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        if not self.metadata_up:
            return web.Response(status=503)
        return web.json_response({"keys": [self.public_jwk()]})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({"tenant": request.match_info["tenant"], **form})
        if (form.get("client_id"), form.get("client_secret")) != (APP_ID, APP_PASSWORD):
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("scope") != "https://api.botframework.com/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = secrets.token_urlsafe(24)
        self.issued_tokens.add(token)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        )

    async def _activities(self, request: web.Request) -> web.Response:
        self.connector_calls += 1
        self.call_times.append(time.monotonic())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.issued_tokens:
            self.refused.append(401)
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.connector_delay_seconds:
            await asyncio.sleep(self.connector_delay_seconds)
        if self.connector_faults:
            status = self.connector_faults.pop(0)
            self.refused.append(status)
            headers = {"Retry-After": self.retry_after} if status == 429 else {}
            return web.json_response({"error": "try later"}, status=status, headers=headers)
        activity = await request.json()
        self.deliveries.append(Delivery(request.match_info["conversation"], activity, token))
        return web.json_response({"id": uuid.uuid4().hex})

    # --- the Bot Framework calling the bot ----------------------------------------------

    def token(
        self,
        service_url: str,
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        algorithm: str = "RS256",
        **claims: Any,
    ) -> str:
        """A Bot Connector token; override any claim (``aud=…``, ``exp=…``, ``iss=…``)."""
        now = int(time.time())
        payload = {
            "serviceurl": service_url,
            "nbf": now - 5,
            "exp": now + 3600,
            "iss": ISSUER,
            "aud": APP_ID,
            **claims,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload, key or self.signing_key, algorithm=algorithm, headers={"kid": kid}
        )

    def activity(self, text: str | None = "hoi", **fields: Any) -> dict[str, Any]:
        """A Teams personal-chat message activity from one employee."""
        body: dict[str, Any] = {
            "type": "message",
            "id": uuid.uuid4().hex,
            "timestamp": "2024-05-01T09:00:00.000Z",
            "serviceUrl": f"{self.base_url}/",
            "channelId": "msteams",
            "from": {
                "id": "29:1AbCdEfGhIjKlMnOpQrStUvWxYz",
                "name": "Fatima El Amrani",
                "aadObjectId": "0b6e7c1e-2f5a-4c8d-9e3f-1a2b3c4d5e6f",
            },
            "conversation": {
                "conversationType": "personal",
                "tenantId": TENANT_ID,
                "id": "a:1qWeRtYuIoP-personal;messageid=1",
            },
            "recipient": {"id": f"28:{APP_ID}", "name": "Koers"},
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "nl-NL",
        }
        if text is not None:
            body["text"] = text
        body.update(fields)
        return body

    def texts_delivered(self) -> list[str]:
        return [d.activity.get("text", "") for d in self.deliveries]
