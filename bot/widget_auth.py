"""Who is chatting: the signed token an intranet gives the chat widget, and trusted metadata.

The intranet puts a JWT in the widget's ``data-token`` attribute. Koers accepts two kinds:

* **HS256** signed with a secret per municipality (``KOERS_WIDGET_JWT_SECRETS``,
  ``GM9901=<secret>,GM9902=<secret>`` or a JSON object; secrets of at least 32 characters);
* **RS256** signed with the intranet's private key; Koers holds the public key per
  municipality (``KOERS_WIDGET_JWT_PUBLIC_KEYS``, ``GM9901=/path/to/public.pem,...``).

Claims: ``gemeente`` (or ``municipality``) = the municipality code (``GM`` + 4 digits),
``sub`` = an opaque, stable employee key (never a name or personnel number), ``aud`` =
``koers`` (``KOERS_WIDGET_JWT_AUDIENCE``), ``exp`` (required), optionally ``iat``/``nbf``.

The key is chosen by the (not yet verified) municipality claim, and the algorithm is pinned
by the kind of key: a secret only verifies HS256, a public key only RS256. So ``alg: none``,
algorithm confusion (HS256 signed with the public key) and tokens of one municipality signed
with another's key all fail.

Actions read identity from message metadata (``municipality``, ``employee_key``; see
``actions/voucher.py``). Channels must never take those from the client: the socket channel
sets them from a verified token only, and the REST channel drops them unless
``KOERS_REST_TRUST_IDENTITY_METADATA=true`` (tests and local development).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from bot.privacy.pseudonym import Pseudonymizer

METADATA_MUNICIPALITY = "municipality"  # same keys as actions/voucher.py reads
METADATA_EMPLOYEE_KEY = "employee_key"
IDENTITY_METADATA_KEYS = (METADATA_MUNICIPALITY, METADATA_EMPLOYEE_KEY)
MUNICIPALITY_CLAIMS = ("gemeente", "municipality")
MUNICIPALITY_RE = re.compile(r"GM\d{4}")
MAX_SUBJECT_CHARS = 256
MAX_TOKEN_CHARS = 8192
MIN_SECRET_CHARS = 32
DEFAULT_AUDIENCE = "koers"
DEFAULT_LEEWAY_SECONDS = 30


class WidgetAuthConfigError(ValueError):
    """The widget token keys in the environment are unusable (fail at start-up)."""


class WidgetTokenError(Exception):
    """A token that must be refused. ``code`` says why (for the client and the logs)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class WidgetIdentity:
    """The verified municipality and the employee key exactly as the intranet sent it."""

    municipality: str
    subject: str


@dataclass(frozen=True)
class WidgetKeys:
    """Verification keys per municipality code."""

    secrets: Mapping[str, str] = field(default_factory=dict)
    public_keys: Mapping[str, Any] = field(default_factory=dict)
    audience: str = DEFAULT_AUDIENCE
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS

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


def parse_widget_keys(
    secrets: str,
    public_keys: str,
    audience: str = DEFAULT_AUDIENCE,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
) -> WidgetKeys:
    """Keys from the two environment values (see the module docstring for the formats)."""
    secret_map = _pairs(secrets, "KOERS_WIDGET_JWT_SECRETS")
    for code, secret in secret_map.items():
        if len(secret) < MIN_SECRET_CHARS:
            raise WidgetAuthConfigError(
                f"KOERS_WIDGET_JWT_SECRETS: the secret for {code} is shorter than "
                f"{MIN_SECRET_CHARS} characters"
            )
    key_map = {
        code: _load_public_key(path, code)
        for code, path in _pairs(public_keys, "KOERS_WIDGET_JWT_PUBLIC_KEYS").items()
    }
    return WidgetKeys(secret_map, key_map, audience, leeway_seconds)


def widget_keys_from_settings(settings: Any) -> WidgetKeys:
    return parse_widget_keys(
        settings.widget_jwt_secrets,
        settings.widget_jwt_public_keys,
        settings.widget_jwt_audience,
    )


def _claimed_municipality(claims: Mapping[str, Any]) -> str:
    values = [claims[name] for name in MUNICIPALITY_CLAIMS if name in claims]
    if not values or len(set(map(str, values))) != 1:
        raise WidgetTokenError("token_invalid", "no (or two different) municipality claims")
    code = values[0]
    if not isinstance(code, str) or not MUNICIPALITY_RE.fullmatch(code):
        raise WidgetTokenError("token_invalid", "municipality claim is not a GM code")
    return code


def verify_widget_token(token: str, keys: WidgetKeys) -> WidgetIdentity:
    """The identity in ``token``, or :class:`WidgetTokenError` (expired, forged, malformed)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise WidgetTokenError("token_invalid", "not a token")
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
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=keys.audience,
            leeway=keys.leeway_seconds,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise WidgetTokenError("token_expired") from exc
    except jwt.PyJWTError as exc:
        raise WidgetTokenError("token_invalid", type(exc).__name__) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_CHARS:
        raise WidgetTokenError("token_invalid", "sub must be a non-empty string")
    return WidgetIdentity(_claimed_municipality(claims), subject.strip())


def employee_key(identity: WidgetIdentity, pseudonymizer: Pseudonymizer) -> str:
    """The pseudonymous employee key Koers stores: a keyed hash, like the sender id.

    Domain-separated from conversation ids and scoped to the municipality, so the intranet's
    key never reaches Rasa, the action server, the ledger or the logs.
    """
    return pseudonymizer.hash_id(f"employee:{identity.municipality}:{identity.subject}")


def identity_metadata(
    identity: WidgetIdentity | None, pseudonymizer: Pseudonymizer
) -> dict[str, str]:
    """The message metadata the voucher actions read; empty for an anonymous employee."""
    if identity is None:
        return {}
    return {
        METADATA_MUNICIPALITY: identity.municipality,
        METADATA_EMPLOYEE_KEY: employee_key(identity, pseudonymizer),
    }


def without_identity(metadata: Any) -> Any:
    """``metadata`` without the identity keys a client must not choose itself."""
    if not isinstance(metadata, Mapping):
        return metadata
    return {k: v for k, v in metadata.items() if k not in IDENTITY_METADATA_KEYS}


def untrusted_identity_dropped(
    on_new_message: Callable[[Any], Awaitable[Any]],
) -> Callable[[Any], Awaitable[Any]]:
    """Wraps a channel handler so client-sent identity metadata never reaches Rasa."""

    async def handle(message: Any) -> Any:
        message.metadata = without_identity(message.metadata)
        return await on_new_message(message)

    return handle


def mint_token(
    municipality: str,
    subject: str,
    secret: str,
    lifetime_seconds: int,
    now: int,
    audience: str = DEFAULT_AUDIENCE,
) -> str:
    """An HS256 widget token, as an intranet would make one (the demo page uses it)."""
    claims = {
        "gemeente": municipality,
        "sub": subject,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
