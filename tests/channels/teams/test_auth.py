"""Only genuine Bot Framework requests reach the bot: every bad token is a 401, and the signing
keys are fetched lazily, so the channel starts while Microsoft is unreachable."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.channels.teams.auth import SigningKeys
from tests.channels.teams.conftest import Harness, channel_config
from tests.channels.teams.fake_botframework import APP_ID, KID, FakeBotFramework

NOW = int(time.time())


@pytest.fixture(autouse=True)
def _fresh_now() -> None:
    """Token times are relative to the moment the test runs, not when the module was imported."""
    global NOW
    NOW = int(time.time())


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac_token(secret: bytes, claims: dict[str, Any]) -> str:
    """The classic algorithm-confusion attack: HS256 "signed" with the RSA public key."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _bad_tokens(fake: FakeBotFramework, service_url: str) -> dict[str, Any]:
    public_pem = fake.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = jwt.encode(
        {
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "exp": NOW + 600,
            "serviceurl": service_url,
        },
        key="",
        algorithm="none",
        headers={"kid": KID},
    )
    return {
        "forged signature": fake.token(service_url, key=_other_key()),
        "expired": fake.token(service_url, exp=NOW - 3600, nbf=NOW - 7200),
        "not yet valid": fake.token(service_url, nbf=NOW + 3600),
        "wrong audience": fake.token(service_url, aud="00000000-0000-0000-0000-000000000000"),
        "wrong issuer": fake.token(service_url, iss="https://sts.windows.net/evil/"),
        "wrong serviceurl": fake.token("https://evil.example.com/"),
        "no serviceurl": fake.token(service_url, serviceurl=None),
        "no expiry": fake.token(service_url, exp=None),
        "unknown key id": fake.token(service_url, kid="someone-elses-key"),
        "alg none": unsigned,
        "HS256 with the public key": _hmac_token(
            public_pem,
            {
                "iss": "https://api.botframework.com",
                "aud": APP_ID,
                "exp": NOW + 600,
                "serviceurl": service_url,
            },
        ),
        "garbage": "not-a-jwt",
    }


@pytest.mark.parametrize(
    "case",
    [
        "forged signature",
        "expired",
        "not yet valid",
        "wrong audience",
        "wrong issuer",
        "wrong serviceurl",
        "no serviceurl",
        "no expiry",
        "unknown key id",
        "alg none",
        "HS256 with the public key",
        "garbage",
    ],
)
async def test_bad_tokens_get_401_and_never_reach_the_bot(harness: Harness, case: str) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi")
    token = _bad_tokens(harness.fake, activity["serviceUrl"])[case]

    response = await server.post(activity, token=token)

    assert response.status == 401, case
    await asyncio.sleep(0.05)
    assert server.received == []
    assert harness.fake.deliveries == [] and harness.fake.token_requests == []


async def test_missing_or_non_bearer_authorization_gets_401(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi")
    assert (await server.post(activity, token=None)).status == 401
    token = harness.fake.token(activity["serviceUrl"])
    assert (await server.post(activity, token=None, Authorization=f"Basic {token}")).status == 401
    assert server.received == []


async def test_key_not_endorsed_for_the_channel_gets_401(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi", channelId="webchat")
    assert (await server.post(activity)).status == 401
    assert server.received == []


async def test_small_clock_skew_is_accepted(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi")
    token = harness.fake.token(activity["serviceUrl"], exp=NOW - 60, nbf=NOW + 60)
    assert (await server.post(activity, token=token)).status == 200
    await server.wait_for_deliveries(1)


async def test_service_url_with_or_without_trailing_slash_matches(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi", serviceUrl=harness.fake.base_url)  # no slash
    token = harness.fake.token(harness.fake.base_url + "/")
    assert (await server.post(activity, token=token)).status == 200
    await server.wait_for_deliveries(1)


async def test_rotated_key_is_fetched_when_an_unknown_kid_arrives(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi")
    assert (await server.post(activity)).status == 200
    fetches = harness.fake.metadata_requests

    harness.fake.signing_key = _other_key()  # Microsoft rotates its key (same kid here)
    new_kid_token = jwt.encode(
        {
            "iss": "https://api.botframework.com",
            "aud": server.channel.app_id,
            "exp": NOW + 600,
            "serviceurl": activity["serviceUrl"],
        },
        harness.fake.signing_key,
        algorithm="RS256",
        headers={"kid": "rotated"},
    )
    # the fake now publishes the new key under the new kid
    original = harness.fake.public_jwk
    harness.fake.public_jwk = lambda: {**original(), "kid": "rotated"}  # type: ignore[method-assign]

    second = harness.fake.activity("tweede")
    assert (await server.post(second, token=new_kid_token)).status == 200
    assert harness.fake.metadata_requests == fetches + 1
    assert await server.wait_for_deliveries(2) == [
        harness.fake.deliveries[0].activity["text"],
        "je zei: tweede",
    ]


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_starts_while_metadata_is_unreachable_and_works_once_it_is_back(
    harness: Harness, aiohttp_server: Any
) -> None:
    login_port = _unused_port()  # nothing listens here yet: connection refused
    login_url = f"http://127.0.0.1:{login_port}"
    config = channel_config(
        harness.fake.base_url,
        openid_metadata_url=f"{login_url}/v1/.well-known/openidconfiguration",
    )
    server = await harness.start(config)  # start-up does not fail
    activity = harness.fake.activity("hoi")

    response = await server.post(activity)
    assert response.status == 503  # the Bot Framework retries later
    assert response.headers["Retry-After"]
    assert server.received == []

    await aiohttp_server(harness.fake.make_app(), port=login_port)  # Microsoft is back
    response = await server.post(harness.fake.activity("hoi"))

    assert response.status == 200
    await server.wait_for_deliveries(1)
    assert [m.text for m in server.received] == ["hoi"]


async def test_metadata_answering_503_then_recovering(harness: Harness) -> None:
    harness.fake.metadata_up = False
    server = await harness.start()
    assert (await server.post(harness.fake.activity("hoi"))).status == 503
    harness.fake.metadata_up = True
    assert (await server.post(harness.fake.activity("hoi"))).status == 200
    await server.wait_for_deliveries(1)


async def test_keys_are_cached_and_refreshed_when_stale(fake_service: FakeBotFramework) -> None:
    import aiohttp

    clock = [1000.0]
    async with aiohttp.ClientSession() as session:

        async def get_session() -> aiohttp.ClientSession:
            return session

        keys = SigningKeys(
            f"{fake_service.base_url}/v1/.well-known/openidconfiguration",
            get_session,
            refresh_hours=24,
            min_refresh_seconds=30,
            clock=lambda: clock[0],
        )
        for _ in range(5):
            assert (await keys.get(KID))["kid"] == KID
        assert fake_service.metadata_requests == 1

        clock[0] += 60
        with pytest.raises(Exception, match="unknown key"):
            await keys.get("nope")  # one refresh for the unknown kid
        with pytest.raises(Exception, match="unknown key"):
            await keys.get("nope")  # cool-down: no new fetch
        assert fake_service.metadata_requests == 2

        clock[0] += 25 * 3600
        fake_service.metadata_up = False
        assert (await keys.get(KID))["kid"] == KID  # stale, fetch fails, old keys kept
        assert fake_service.metadata_requests == 3


async def test_without_any_keys_the_fetch_is_retried_within_a_second(
    fake_service: FakeBotFramework,
) -> None:
    import aiohttp

    from bot.channels.teams.auth import KeysUnavailable

    clock = [0.0]
    fake_service.metadata_up = False
    async with aiohttp.ClientSession() as session:

        async def get_session() -> aiohttp.ClientSession:
            return session

        keys = SigningKeys(
            f"{fake_service.base_url}/v1/.well-known/openidconfiguration",
            get_session,
            min_refresh_seconds=30,
            clock=lambda: clock[0],
        )
        with pytest.raises(KeysUnavailable):
            await keys.get(KID)
        clock[0] += 0.5
        with pytest.raises(KeysUnavailable):
            await keys.get(KID)  # not again within the second
        assert fake_service.metadata_requests == 1
        fake_service.metadata_up = True
        clock[0] += 0.6
        assert (await keys.get(KID))["kid"] == KID
        assert fake_service.metadata_requests == 2
