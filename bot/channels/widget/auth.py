"""Who is chatting in the widget: the signed token an intranet gives it.

The intranet puts a JWT in the widget's ``data-token`` attribute. Koers accepts two kinds:

* **HS256** signed with a secret per municipality (``KOERS_WIDGET_JWT_SECRETS``,
  ``GM9901=<secret>,GM9902=<secret>`` or a JSON object; secrets of at least 32 characters,
  and never the same secret for two municipalities: one would sign for the other);
* **RS256** signed with the intranet's private key; Koers holds the public key per
  municipality (``KOERS_WIDGET_JWT_PUBLIC_KEYS``, ``GM9901=/path/to/public.pem,...``).

Claims (docs/widget.md, docs/privacy-tech.md "Identity"):

* ``gemeente`` (or ``municipality``): the municipality code (``GM`` + 4 digits);
* the employee claim ``KOERS_WIDGET_EMPLOYEE_CLAIM`` (default ``oid``): the employee's Entra
  object id, the same id Teams sends as ``aadObjectId``, so one person has one employee key
  in both channels. Koers only ever stores a keyed hash of it;
* ``aud`` = ``koers`` (``KOERS_WIDGET_JWT_AUDIENCE``); ``iss`` when
  ``KOERS_WIDGET_JWT_ISSUER`` is set;
* ``iat`` and ``exp``, both required, at most ``KOERS_WIDGET_TOKEN_MAX_LIFETIME_SECONDS``
  (default 8 hours) apart: a leaked token is worth one working day at most.

The key is chosen by the (not yet verified) municipality claim, and the algorithm is pinned
by the kind of key: a secret only verifies HS256, a public key only RS256. So ``alg: none``,
algorithm confusion (HS256 signed with the public key) and tokens of one municipality signed
with another's key all fail.

A verified token never travels further: the channels turn it into the plain municipality code
and a signed identity claim (:func:`identity_metadata`, :mod:`bot.channels.identity`), which
the actions verify. No raw employee key and no token ever reaches Rasa, the actions or a log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from bot.channels import identity as ids
from bot.privacy.pseudonym import Pseudonymizer

METADATA_MUNICIPALITY = ids.METADATA_MUNICIPALITY
METADATA_WIDGET_TOKEN = "widget_token"  # REST: identity only through a widget token
MUNICIPALITY_CLAIMS = ("gemeente", "municipality")
MUNICIPALITY_RE = re.compile(r"GM\d{4}")
MAX_SUBJECT_CHARS = ids.MAX_SUBJECT_CHARS
MAX_TOKEN_CHARS = 4096
MIN_SECRET_CHARS = 32
DEFAULT_AUDIENCE = "koers"
DEFAULT_LEEWAY_SECONDS = 30
DEFAULT_EMPLOYEE_CLAIM = "oid"
DEFAULT_MAX_LIFETIME_SECONDS = 8 * 3600
EMPLOYEE_CLAIM_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


class WidgetAuthConfigError(ValueError):
    """The widget token keys in the environment are unusable (fail at start-up)."""


class WidgetTokenError(Exception):
    """A token that must be refused. ``code`` says why (for the client and the logs)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class WidgetIdentity:
    """The verified municipality, the employee subject (Entra object id) and the token's end."""

    municipality: str
    subject: str
    expires_at: int = 0


@dataclass(frozen=True)
class WidgetKeys:
    """Verification keys per municipality code, and the rules every token must meet."""

    secrets: Mapping[str, str] = field(default_factory=dict)
    public_keys: Mapping[str, Any] = field(default_factory=dict)
    audience: str = DEFAULT_AUDIENCE
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS
    issuer: str = ""
    max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS
    employee_claim: str = DEFAULT_EMPLOYEE_CLAIM

    @property
    def configured(self) -> bool:
        return bool(self.secrets or self.public_keys)


def _pairs(raw: str, name: str) -> dict[str, str]:
    """``GM9901=a,GM9902=b`` or a JSON object, into a dict."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise WidgetAuthConfigError(f"{name} is not valid JSON: {exc.msg}") from exc
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise WidgetAuthConfigError(f"{name} must map municipality codes to strings")
        pairs = loaded
    else:
        pairs = {}
        for part in raw.split(","):
            code, sep, value = part.partition("=")
            if not sep:
                raise WidgetAuthConfigError(f"{name}: expected CODE=value, got {part.strip()!r}")
            pairs[code.strip()] = value.strip()
    for code in pairs:
        if not MUNICIPALITY_RE.fullmatch(code):
            raise WidgetAuthConfigError(f"{name}: {code!r} is not a municipality code (GM1234)")
    return pairs


def _load_public_key(path: str, code: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise WidgetAuthConfigError(
            f"KOERS_WIDGET_JWT_PUBLIC_KEYS: cannot read a PEM public key for {code} at {path}"
        ) from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise WidgetAuthConfigError(f"the public key for {code} must be RSA, 2048 bits or more")
    return key


def _refuse_shared(values: Mapping[str, Any], name: str) -> None:
    """One key for two municipalities lets either sign tokens for the other: refuse."""
    seen: dict[Any, str] = {}
    for code, value in values.items():
        if value in seen:
            raise WidgetAuthConfigError(
                f"{name}: {seen[value]} and {code} use the same key; every municipality needs "
                "its own"
            )
        seen[value] = code


def parse_widget_keys(
    secrets: str,
    public_keys: str,
    audience: str = DEFAULT_AUDIENCE,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
    *,
    issuer: str = "",
    max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS,
    employee_claim: str = DEFAULT_EMPLOYEE_CLAIM,
) -> WidgetKeys:
    """Keys from the environment values (see the module docstring for the formats)."""
    secret_map = _pairs(secrets, "KOERS_WIDGET_JWT_SECRETS")
    for code, secret in secret_map.items():
        if len(secret) < MIN_SECRET_CHARS:
            raise WidgetAuthConfigError(
                f"KOERS_WIDGET_JWT_SECRETS: the secret for {code} is shorter than "
                f"{MIN_SECRET_CHARS} characters"
            )
    _refuse_shared(secret_map, "KOERS_WIDGET_JWT_SECRETS")
    key_map = {
        code: _load_public_key(path, code)
        for code, path in _pairs(public_keys, "KOERS_WIDGET_JWT_PUBLIC_KEYS").items()
    }
    _refuse_shared(
        {code: key.public_numbers() for code, key in key_map.items()},
        "KOERS_WIDGET_JWT_PUBLIC_KEYS",
    )
    if max_lifetime_seconds < 60:
        raise WidgetAuthConfigError("KOERS_WIDGET_TOKEN_MAX_LIFETIME_SECONDS must be 60 or more")
    if not EMPLOYEE_CLAIM_RE.fullmatch(employee_claim or ""):
        raise WidgetAuthConfigError("KOERS_WIDGET_EMPLOYEE_CLAIM must be a claim name, e.g. oid")
    return WidgetKeys(
        secret_map, key_map, audience, leeway_seconds, issuer, max_lifetime_seconds, employee_claim
    )


def widget_keys_from_settings(settings: Any) -> WidgetKeys:
    return parse_widget_keys(
        settings.widget_jwt_secrets,
        settings.widget_jwt_public_keys,
        settings.widget_jwt_audience,
        issuer=settings.widget_jwt_issuer,
        max_lifetime_seconds=settings.widget_token_max_lifetime_seconds,
        employee_claim=settings.widget_employee_claim,
    )


def _claimed_municipality(claims: Mapping[str, Any]) -> str:
    values = [claims[name] for name in MUNICIPALITY_CLAIMS if name in claims]
    if not values or len(set(map(str, values))) != 1:
        raise WidgetTokenError("token_invalid", "no (or two different) municipality claims")
    code = values[0]
    if not isinstance(code, str) or not MUNICIPALITY_RE.fullmatch(code):
        raise WidgetTokenError("token_invalid", "municipality claim is not a GM code")
    return code


def _whole_number(claims: Mapping[str, Any], name: str) -> int:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WidgetTokenError("token_invalid", f"{name} is not a number")
    return int(value)


def verify_widget_token(token: Any, keys: WidgetKeys, now: int | None = None) -> WidgetIdentity:
    """The identity in ``token``, or :class:`WidgetTokenError` (expired, forged, malformed,
    oversized, too long-lived, wrong issuer)."""
    if not isinstance(token, str) or not token:
        raise WidgetTokenError("token_invalid", "not a token")
    if len(token) > MAX_TOKEN_CHARS:
        raise WidgetTokenError("token_invalid", "oversized")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise WidgetTokenError("token_invalid", "malformed") from exc
    municipality = _claimed_municipality(unverified)
    algorithm = header.get("alg")
    if algorithm == "HS256" and municipality in keys.secrets:
        key: Any = keys.secrets[municipality]
    elif algorithm == "RS256" and municipality in keys.public_keys:
        key = keys.public_keys[municipality]
    else:
        raise WidgetTokenError("token_invalid", f"no {algorithm} key for {municipality}")
    required = ["exp", "iat", "aud", keys.employee_claim] + (["iss"] if keys.issuer else [])
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=keys.audience,
            issuer=keys.issuer or None,
            leeway=keys.leeway_seconds,
            options={"require": required, "verify_iat": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise WidgetTokenError("token_expired") from exc
    except jwt.PyJWTError as exc:
        raise WidgetTokenError("token_invalid", type(exc).__name__) from exc
    issued, expires = _whole_number(claims, "iat"), _whole_number(claims, "exp")
    current = int(time.time()) if now is None else int(now)
    if issued > current + keys.leeway_seconds:
        raise WidgetTokenError("token_invalid", "issued in the future")
    if expires - issued > keys.max_lifetime_seconds:
        raise WidgetTokenError("token_invalid", "lifetime longer than allowed")
    if expires + keys.leeway_seconds <= current:  # PyJWT checks too; this also holds for now=
        raise WidgetTokenError("token_expired")
    subject = claims.get(keys.employee_claim)
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_CHARS:
        raise WidgetTokenError("token_invalid", f"{keys.employee_claim} must be a non-empty string")
    return WidgetIdentity(_claimed_municipality(claims), subject.strip(), expires)


def identity_metadata(
    identity: WidgetIdentity | None,
    channel: str,
    identity_secret: str,
    pseudonymizer: Pseudonymizer | None = None,
) -> dict[str, str]:
    """The message metadata for a verified employee: the plain municipality code and a signed
    claim (never a raw employee key); empty for an anonymous employee."""
    if identity is None:
        return {}
    keys = ids.employee_keys(identity.subject, pseudonymizer)
    claim = ids.sign_identity(
        identity.municipality, keys, channel, identity_secret, not_after=identity.expires_at or None
    )
    return {METADATA_MUNICIPALITY: identity.municipality, ids.METADATA_IDENTITY: claim}


def client_metadata(metadata: Any) -> dict[str, Any]:
    """What a client may send as metadata: everything but identity (keys, claims, tokens and
    the municipality, which only a verified token or tenant sets)."""
    if not isinstance(metadata, Mapping):
        return {}
    kept = ids.stripped_metadata(metadata)
    return {
        k: v for k, v in kept.items() if k not in (METADATA_MUNICIPALITY, METADATA_WIDGET_TOKEN)
    }


def mint_token(
    municipality: str,
    subject: str,
    secret: str,
    lifetime_seconds: int,
    now: int,
    audience: str = DEFAULT_AUDIENCE,
    *,
    issuer: str = "",
    employee_claim: str = DEFAULT_EMPLOYEE_CLAIM,
) -> str:
    """An HS256 widget token, as an intranet would make one (the demo page uses it)."""
    claims: dict[str, Any] = {
        "gemeente": municipality,
        "sub": subject,
        employee_claim: subject,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")
