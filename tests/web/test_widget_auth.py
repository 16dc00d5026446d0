"""The widget token: HS256 per municipality, RS256 with the intranet's public key, and refusals
(iat/exp required, maximum lifetime, issuer, shared secrets, oversized tokens)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.channels import identity as ids
from bot.channels.widget.auth import (
    WidgetAuthConfigError,
    WidgetIdentity,
    WidgetTokenError,
    client_metadata,
    identity_metadata,
    mint_token,
    parse_widget_keys,
    verify_widget_token,
)
from bot.privacy.pseudonym import build_pseudonymizer

SECRET_1 = "gm9901-test-secret-0123456789abcdefghij"
SECRET_2 = "gm9902-test-secret-0123456789abcdefghij"
NOW = int(time.time())


@pytest.fixture(autouse=True)
def _fresh_now() -> None:
    """Token times are relative to the moment the test runs, not when the module was imported."""
    global NOW
    NOW = int(time.time())


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def intranet_key() -> rsa.RSAPrivateKey:
    return _private_key()


def _public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def keys(tmp_path: Path, intranet_key: rsa.RSAPrivateKey):
    pem = tmp_path / "gm9903.pem"
    pem.write_bytes(_public_pem(intranet_key))
    return parse_widget_keys(f"GM9901={SECRET_1},GM9902={SECRET_2}", f"GM9903={pem}")


def claims(**overrides) -> dict:
    base = {
        "gemeente": "GM9901",
        "sub": "emp-7f3a",
        "oid": "emp-7f3a",
        "aud": "koers",
        "iat": NOW,
        "exp": NOW + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_hs256_token_gives_the_identity(keys) -> None:
    token = jwt.encode(claims(), SECRET_1, algorithm="HS256")
    assert verify_widget_token(token, keys) == WidgetIdentity("GM9901", "emp-7f3a", NOW + 600)


def test_municipality_claim_in_english_works_too(keys) -> None:
    token = jwt.encode(claims(gemeente=None, municipality="GM9902"), SECRET_2, algorithm="HS256")
    assert verify_widget_token(token, keys).municipality == "GM9902"


def test_rs256_token_with_the_intranet_key(keys, intranet_key) -> None:
    token = jwt.encode(claims(gemeente="GM9903"), intranet_key, algorithm="RS256")
    assert verify_widget_token(token, keys) == WidgetIdentity("GM9903", "emp-7f3a", NOW + 600)


def test_mint_token_round_trip(keys) -> None:
    token = mint_token("GM9901", "demo", SECRET_1, 60, NOW)
    assert verify_widget_token(token, keys) == WidgetIdentity("GM9901", "demo", NOW + 60)


def _refused(token: str, keys) -> str:
    with pytest.raises(WidgetTokenError) as info:
        verify_widget_token(token, keys)
    return info.value.code


def test_expired_token_is_refused_as_expired(keys) -> None:
    token = jwt.encode(claims(iat=NOW - 7200, exp=NOW - 3600), SECRET_1, algorithm="HS256")
    assert _refused(token, keys) == "token_expired"


def test_small_clock_skew_is_tolerated(keys) -> None:
    token = jwt.encode(claims(exp=NOW - 5), SECRET_1, algorithm="HS256")
    assert verify_widget_token(token, keys).subject == "emp-7f3a"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: jwt.encode(claims(), "x" * 40, algorithm="HS256"), id="wrong-secret"),
        # signed with GM9902's secret but claiming GM9901
        pytest.param(lambda: jwt.encode(claims(), SECRET_2, algorithm="HS256"), id="other-secret"),
        pytest.param(
            lambda: jwt.encode(claims(gemeente="GM9902"), SECRET_1, algorithm="HS256"),
            id="other-municipality",
        ),
        pytest.param(
            lambda: jwt.encode(claims(gemeente="GM9999"), SECRET_1, algorithm="HS256"),
            id="unknown-municipality",
        ),
        pytest.param(
            lambda: jwt.encode(claims(aud="other-app"), SECRET_1, algorithm="HS256"),
            id="wrong-audience",
        ),
        pytest.param(
            lambda: jwt.encode(claims(aud=None), SECRET_1, algorithm="HS256"), id="no-audience"
        ),
        pytest.param(
            lambda: jwt.encode(claims(exp=None), SECRET_1, algorithm="HS256"), id="no-expiry"
        ),
        pytest.param(
            lambda: jwt.encode(claims(oid=None), SECRET_1, algorithm="HS256"),
            id="no-employee-claim",
        ),
        pytest.param(
            lambda: jwt.encode(claims(oid=""), SECRET_1, algorithm="HS256"),
            id="empty-employee-claim",
        ),
        pytest.param(
            lambda: jwt.encode(claims(oid=7), SECRET_1, algorithm="HS256"),
            id="employee-claim-not-a-string",
        ),
        pytest.param(
            lambda: jwt.encode(claims(iat=None), SECRET_1, algorithm="HS256"), id="no-iat"
        ),
        pytest.param(
            lambda: jwt.encode(claims(iat="yesterday"), SECRET_1, algorithm="HS256"),
            id="iat-not-a-number",
        ),
        pytest.param(
            lambda: jwt.encode(claims(iat=NOW + 3600, exp=NOW + 4000), SECRET_1, algorithm="HS256"),
            id="issued-in-the-future",
        ),
        pytest.param(
            lambda: jwt.encode(claims(exp=NOW + 8 * 3600 + 1), SECRET_1, algorithm="HS256"),
            id="lifetime-too-long",
        ),
        pytest.param(
            lambda: jwt.encode(
                claims(iat=NOW - 30 * 86400, exp=NOW + 600), SECRET_1, algorithm="HS256"
            ),
            id="old-iat-long-lifetime",
        ),
        pytest.param(
            lambda: jwt.encode(claims(gemeente=None), SECRET_1, algorithm="HS256"),
            id="no-municipality",
        ),
        pytest.param(
            lambda: jwt.encode(claims(municipality="GM9902"), SECRET_1, algorithm="HS256"),
            id="two-municipalities",
        ),
        pytest.param(
            lambda: jwt.encode(claims(nbf=NOW + 3600), SECRET_1, algorithm="HS256"),
            id="not-yet-valid",
        ),
        pytest.param(lambda: jwt.encode(claims(), SECRET_1, algorithm="HS512"), id="HS512"),
        pytest.param(lambda: "not.a.token", id="garbage"),
        pytest.param(lambda: "", id="empty"),
        pytest.param(lambda: "a" * 10_000, id="huge"),
        pytest.param(
            lambda: jwt.encode(claims(pad="x" * 5000), SECRET_1, algorithm="HS256"),
            id="oversized-but-signed",
        ),
    ],
)
def test_forged_and_malformed_tokens_are_refused(keys, make) -> None:
    assert _refused(make(), keys) == "token_invalid"


def _unsigned(payload: dict, header: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def test_alg_none_is_refused(keys) -> None:
    token = _unsigned(claims(), {"alg": "none", "typ": "JWT"})
    assert _refused(token, keys) == "token_invalid"
    token = _unsigned(claims(gemeente="GM9903"), {"alg": "none", "typ": "JWT"})
    assert _refused(token, keys) == "token_invalid"


def test_rs256_municipality_refuses_hs256_signed_with_its_public_key(keys, intranet_key) -> None:
    """Algorithm confusion: the public key (which is public) used as an HMAC secret."""
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims(gemeente="GM9903")).encode()).rstrip(b"=")
    signing_input = header + b"." + body
    mac = hmac.new(_public_pem(intranet_key), signing_input, hashlib.sha256).digest()
    token = (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()
    assert _refused(token, keys) == "token_invalid"


def test_rs256_signed_by_another_key_is_refused(keys) -> None:
    token = jwt.encode(claims(gemeente="GM9903"), _private_key(), algorithm="RS256")
    assert _refused(token, keys) == "token_invalid"


def test_hs256_municipality_refuses_rs256(keys, intranet_key) -> None:
    token = jwt.encode(claims(), intranet_key, algorithm="RS256")
    assert _refused(token, keys) == "token_invalid"


def test_tampered_payload_is_refused(keys) -> None:
    token = jwt.encode(claims(), SECRET_1, algorithm="HS256")
    header, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(claims(sub="someone-else")).encode())
    assert _refused(f"{header}.{body.rstrip(b'=').decode()}.{signature}", keys) == "token_invalid"


def test_json_secrets_and_config_errors(tmp_path: Path) -> None:
    keys = parse_widget_keys(json.dumps({"GM9901": SECRET_1}), "")
    assert set(keys.secrets) == {"GM9901"} and keys.configured
    assert not parse_widget_keys("", "").configured
    with pytest.raises(WidgetAuthConfigError, match="shorter"):
        parse_widget_keys("GM9901=short", "")
    with pytest.raises(WidgetAuthConfigError, match="municipality code"):
        parse_widget_keys(f"Utrecht={SECRET_1}", "")
    with pytest.raises(WidgetAuthConfigError, match="CODE=value"):
        parse_widget_keys(SECRET_1, "")
    with pytest.raises(WidgetAuthConfigError, match="JSON"):
        parse_widget_keys("{not json", "")
    with pytest.raises(WidgetAuthConfigError, match="PEM"):
        parse_widget_keys("", f"GM9901={tmp_path / 'missing.pem'}")


def test_lifetime_limit_is_configurable() -> None:
    keys = parse_widget_keys(f"GM9901={SECRET_1}", "", max_lifetime_seconds=600)
    assert verify_widget_token(jwt.encode(claims(), SECRET_1, algorithm="HS256"), keys)
    token = jwt.encode(claims(exp=NOW + 601), SECRET_1, algorithm="HS256")
    assert _refused(token, keys) == "token_invalid"


def test_issuer_is_checked_when_configured() -> None:
    keys = parse_widget_keys(f"GM9901={SECRET_1}", "", issuer="https://intranet.gm9901.example")
    good = jwt.encode(claims(iss="https://intranet.gm9901.example"), SECRET_1, algorithm="HS256")
    assert verify_widget_token(good, keys).municipality == "GM9901"
    for bad in (claims(iss="https://evil.example"), claims()):
        assert _refused(jwt.encode(bad, SECRET_1, algorithm="HS256"), keys) == "token_invalid"


def test_employee_claim_is_configurable() -> None:
    keys = parse_widget_keys(f"GM9901={SECRET_1}", "", employee_claim="employee_id")
    token = jwt.encode(claims(oid=None, employee_id="E-1"), SECRET_1, algorithm="HS256")
    assert verify_widget_token(token, keys).subject == "E-1"
    assert _refused(jwt.encode(claims(), SECRET_1, algorithm="HS256"), keys) == "token_invalid"


def test_one_secret_for_two_municipalities_is_refused_at_start(
    tmp_path: Path, intranet_key
) -> None:
    with pytest.raises(WidgetAuthConfigError, match="same key"):
        parse_widget_keys(f"GM9901={SECRET_1},GM9902={SECRET_1}", "")
    pem = tmp_path / "shared.pem"
    pem.write_bytes(_public_pem(intranet_key))
    with pytest.raises(WidgetAuthConfigError, match="same key"):
        parse_widget_keys("", f"GM9901={pem},GM9902={pem}")


def test_metadata_carries_a_signed_claim_and_no_raw_key() -> None:
    pseudonyms = build_pseudonymizer("p" * 40)
    secret = "i" * 40
    identity = WidgetIdentity("GM9901", "Emp-7F3A", NOW + 600)
    metadata = identity_metadata(identity, ids.CHANNEL_WIDGET, secret, pseudonyms)
    assert set(metadata) == {"municipality", ids.METADATA_IDENTITY}
    assert metadata["municipality"] == "GM9901"
    verified = ids.verify_identity(metadata[ids.METADATA_IDENTITY], secret)
    assert verified is not None and verified.channel == "widget"
    assert verified.employee_key == ids.employee_keys("emp-7f3a", pseudonyms).current
    assert verified.expires_at <= NOW + 600
    assert "emp-7f3a" not in str(metadata).lower()
    assert identity_metadata(None, ids.CHANNEL_WIDGET, secret, pseudonyms) == {}


def test_claim_never_outlives_the_token() -> None:
    identity = WidgetIdentity("GM9901", "emp", NOW + 10)
    pseudonyms = build_pseudonymizer("p" * 40)
    metadata = identity_metadata(identity, ids.CHANNEL_REST, "i" * 40, pseudonyms)
    assert ids.verify_identity(metadata[ids.METADATA_IDENTITY], "i" * 40).expires_at == NOW + 10


def test_client_identity_metadata_is_dropped() -> None:
    forged = {
        "municipality": "GM9901",
        "employee_key": "someone-elses-key",
        "koers_x": 1,
        ids.METADATA_IDENTITY: "forged",
        "widget_token": "t",
        "employee_keys": ["a"],
    }
    assert client_metadata(forged) == {"koers_x": 1}
    assert client_metadata(None) == {} and client_metadata([1]) == {}
