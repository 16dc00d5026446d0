"""Settings for every Koers process, read from the environment only (secrets included).

Settings come in sections, one frozen dataclass per part of Koers (:data:`SECTIONS`).
:class:`Settings` inherits them all, so ``settings.smtp_host`` works everywhere, while a module
that needs one part can ask for just that section (``NotifySettings``): a ``Settings`` is one.

Each field is declared once, with :func:`env_field`: the environment variable, the default,
how the text is read (from the default's type) and one line for the README. Everything else
follows from that declaration: :func:`load_settings`, the README's configuration tables and
``.env.example`` (``python -m bot.config --markdown`` / ``--env-example`` / ``--write-docs``),
and the values ``scripts/env.sh`` exports before Rasa starts (``--shell``). Variables that
only scripts, tools or tests read are listed in :data:`OTHER_VARIABLES` for the same tables.

This module needs only the standard library: ``scripts/env.sh`` runs it before the virtualenv
exists.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
README = PROJECT_ROOT / "README.md"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
# Employee numbers without a context word ("personeelsnummer ...") are only recognised by this
# pattern; municipalities with another format set KOERS_EMPLOYEE_NUMBER_PATTERN.
DEFAULT_EMPLOYEE_NUMBER_PATTERN = r"\b(?:[Pp]|[Mm][Ww]|[Ee]mp)[-.]?\d{5,7}\b"

ENV_PREFIX = "KOERS_"  # every setting's variable starts with it (checked at import)
T = TypeVar("T")
_METADATA_KEY = "koers_env"


def default_sqlite_url(filename: str) -> str:
    return f"sqlite:///{VAR_DIR / filename}"


# --- How a variable's text becomes a value (the error messages are part of the contract) ----


def parse_text(name: str, raw: str) -> str:
    return raw.strip()


def parse_whole_number(name: str, raw: str) -> int:
    text = raw.strip()
    try:
        return int(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {text!r}") from exc


def parse_flag(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in {"1", "true", "yes", "ja", "on"}:
        return True
    if text in {"0", "false", "no", "nee", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {text!r}")


def parse_items(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated values; blanks between commas are dropped."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _parser_for(default: object) -> Callable[[str, str], Any]:
    """The parser follows the default's type, so a field cannot disagree with its parser."""
    if isinstance(default, bool):  # before int: a bool is an int
        return parse_flag
    if isinstance(default, int):
        return parse_whole_number
    if isinstance(default, tuple):
        return parse_items
    if isinstance(default, str):
        return parse_text
    raise TypeError(f"no parser for a default of type {type(default).__name__}")


def at_least_one(value: int) -> int:
    return max(1, value)


def not_negative(value: int) -> int:
    return max(0, value)


def without_trailing_slash(value: str) -> str:
    return value.rstrip("/")


@dataclass(frozen=True)
class EnvSetting:
    """What :func:`env_field` stores in a field's metadata: everything except the default."""

    env: str
    description: str
    parse: Callable[[str, str], Any]
    clean: Callable[[Any], Any] | None = None
    note: str = ""  # shown after the default: what happens when unset, or who sets it
    shell: bool = False  # scripts/env.sh exports it: scripts and Rasa's yml files need it

    def read(self, environ: Mapping[str, str], default: object) -> Any:
        """The value from ``environ``; empty or only spaces means the default."""
        raw = environ.get(self.env, "")
        value = self.parse(self.env, raw) if raw.strip() else default
        return self.clean(value) if self.clean is not None else value


def env_field(
    env: str,
    default: T,
    description: str,
    *,
    clean: Callable[[T], T] | None = None,
    note: str = "",
    shell: bool = False,
) -> T:
    """A settings field: its variable, default, parser (from the default) and README line."""
    setting = EnvSetting(env, description, _parser_for(default), clean, note, shell)
    return field(default=default, metadata={_METADATA_KEY: setting})


# --- The sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebSettings:
    """The web app (``python -m bot.web``): provider API, sheets, widget page, dashboard."""

    title: ClassVar[str] = "Web app"

    web_host: str = env_field("KOERS_WEB_HOST", "0.0.0.0", "web app interface")
    web_port: int = env_field("KOERS_WEB_PORT", 8080, "web app port", shell=True)
    public_base_url: str = env_field(
        "KOERS_PUBLIC_BASE_URL",
        "http://localhost:8080",
        "public address of the web app, for links",
        clean=without_trailing_slash,
    )
    log_level: str = env_field(
        "KOERS_LOG_LEVEL", "INFO", "log level of the web app", clean=str.upper
    )


@dataclass(frozen=True)
class RasaSettings:
    """The Rasa server's edge (bot/channels, bot/rasa_ext): ports, channels, limits."""

    title: ClassVar[str] = "Rasa server and channels"

    rasa_port: int = env_field("KOERS_RASA_PORT", 5005, "Rasa server port", shell=True)
    rest_enabled: bool = env_field(
        "KOERS_REST_ENABLED",
        False,
        "the REST channel (development and tests only); off: 404 JSON",
        note="`make run` and the tests: `true`",
    )
    cors_origins: tuple[str, ...] = env_field(
        "KOERS_CORS_ORIGINS",
        (),
        "origins allowed to call the Rasa server from a browser (`https://intranet.example,…`), "
        "HTTP and the widget's socket; unset: no CORS headers, never `*`",
    )
    action_timeout_seconds: int = env_field(
        "KOERS_ACTION_TIMEOUT_SECONDS", 20, "after this, Koers says the action is unavailable"
    )
    max_request_bytes: int = env_field(
        "KOERS_MAX_REQUEST_BYTES", 65536, "larger REST bodies get 413"
    )
    max_pending_per_sender: int = env_field(
        "KOERS_MAX_PENDING_PER_SENDER", 5, "messages one sender may have in flight"
    )


@dataclass(frozen=True)
class SecuritySettings:
    """Trust boundaries (bot/channels/identity.py, docs/security.md): who may call what."""

    title: ClassVar[str] = "Trust boundaries"

    identity_secret: str = env_field(
        "KOERS_IDENTITY_SECRET",
        "",
        "signs the identity claims the channels pass to the actions and the widget's session "
        "ids (≥ 32 characters); the same in the Rasa servers and the action server, which both "
        "refuse to start without it",
        note="the scripts keep a random local one in `var/identity.secret`",
    )
    action_secret: str = env_field(
        "KOERS_ACTION_SECRET",
        "",
        "header secret (≥ 32 characters) that every call to the action server must carry "
        "(`X-Koers-Action-Secret`); the same in the Rasa servers and the action server, which "
        "refuses to start without it",
        note="the scripts keep a random local one in `var/action.secret`",
    )
    action_host: str = env_field(
        "KOERS_ACTION_HOST",
        "127.0.0.1",
        'interface the action server (`python -m actions.server`) binds to; see "Deployment" '
        "before changing it",
        shell=True,
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """Both databases, and how a slow or restarting database is survived (bot/db, bot/rasa_ext)."""

    title: ClassVar[str] = "Databases"

    database_url: str = env_field(
        "KOERS_DATABASE_URL",
        default_sqlite_url("koers.db"),
        "application database: coaches, bookings, vouchers (SQLAlchemy URL)",
        shell=True,
    )
    tracker_db_url: str = env_field(
        "KOERS_TRACKER_DB_URL",
        default_sqlite_url("tracker.db"),
        "conversation store of the scrubbing tracker store (SQLAlchemy URL; `postgresql://…` in "
        "production)",
        shell=True,
    )
    db_retry_seconds: int = env_field(
        "KOERS_DB_RETRY_SECONDS", 20, "how long a tracker-database restart is bridged"
    )
    db_connect_timeout_seconds: int = env_field(
        "KOERS_DB_CONNECT_TIMEOUT_SECONDS",
        5,
        "PostgreSQL connection set-up gives up after this (0 = no limit)",
    )
    db_statement_timeout_seconds: int = env_field(
        "KOERS_DB_STATEMENT_TIMEOUT_SECONDS",
        15,
        "PostgreSQL cancels a statement after this; SQLite's busy timeout for the tracker store "
        "(0 = no limit)",
    )
    db_threads: int = env_field(
        "KOERS_DB_THREADS",
        8,
        "threads per Rasa server for tracker-store work, off the event loop (at least 1)",
        clean=at_least_one,
    )


@dataclass(frozen=True)
class SharedStateSettings:
    """State shared by all Rasa instances (bot/shared_state.py) and the production lock store."""

    title: ClassVar[str] = "Shared state (Redis)"

    redis_host: str = env_field(
        "KOERS_REDIS_HOST",
        "",
        "Redis for the lock store in `deploy/endpoints.production.yml` and the state shared by "
        'all instances (`bot/shared_state.py`, see "Scaling out"); unset: each process keeps '
        "that state in its own memory",
    )
    redis_port: int = env_field("KOERS_REDIS_PORT", 6379, "Redis port")
    redis_db: int = env_field("KOERS_REDIS_DB", 0, "Redis database number")


@dataclass(frozen=True)
class PrivacySettings:
    """Pseudonyms, scrubbing and retention (bot/privacy, docs/privacy-tech.md)."""

    title: ClassVar[str] = "Privacy"

    pseudonym_secret: str = env_field(
        "KOERS_PSEUDONYM_SECRET",
        "",
        "secret (≥ 32 characters) for pseudonymous ids; set it in production",
        note="the scripts keep a random local one in `var/pseudonym.secret`",
    )
    pseudonym_secret_previous: str = env_field(
        "KOERS_PSEUDONYM_SECRET_PREVIOUS",
        "",
        "the previous secret while rotating; conversations move to the new key when read",
    )
    pseudonym_key_version: int = env_field(
        "KOERS_PSEUDONYM_KEY_VERSION",
        1,
        "version of the current secret (≥ 2 when a previous secret is set)",
    )
    pseudonym_secret_required: bool = env_field(
        "KOERS_PSEUDONYM_SECRET_REQUIRED", False, "`true`: refuse to start without a secret"
    )
    retention_days: int = env_field(
        "KOERS_RETENTION_DAYS", 30, "conversations idle longer than this are deleted"
    )
    retention_interval_minutes: int = env_field(
        "KOERS_RETENTION_INTERVAL_MINUTES",
        360,
        "how often the Rasa server purges idle conversations (0 = off)",
    )
    scrub_max_chars: int = env_field(
        "KOERS_SCRUB_MAX_CHARS", 2000, "longer messages are stored truncated (after scrubbing)"
    )
    employee_number_pattern: str = env_field(
        "KOERS_EMPLOYEE_NUMBER_PATTERN",
        DEFAULT_EMPLOYEE_NUMBER_PATTERN,
        "regular expression for employee numbers",
    )
    spacy_model: str = env_field(
        "KOERS_SPACY_MODEL", "nl_core_news_sm", "spaCy pipeline used for name detection"
    )
    erasure_hooks: tuple[str, ...] = env_field(
        "KOERS_ERASURE_HOOKS",
        (),
        "extra `module:function` hooks run when a conversation is erased (comma-separated)",
    )


@dataclass(frozen=True)
class WidgetSettings:
    """The chat widget and its token (bot/channels/widget, bot/web/routes/widget.py)."""

    title: ClassVar[str] = "Chat widget"

    widget_jwt_secrets: str = env_field(
        "KOERS_WIDGET_JWT_SECRETS",
        "",
        "HS256 secrets per municipality: `GM9901=<≥32 chars>,…` or JSON",
        note="the scripts keep a local demo secret for GM9901 in `var/widget-demo.secret`",
    )
    widget_jwt_public_keys: str = env_field(
        "KOERS_WIDGET_JWT_PUBLIC_KEYS", "", "RS256 public keys: `GM9901=/path/key.pem,…`"
    )
    widget_jwt_audience: str = env_field(
        "KOERS_WIDGET_JWT_AUDIENCE", "koers", "required `aud` claim"
    )
    widget_jwt_issuer: str = env_field(
        "KOERS_WIDGET_JWT_ISSUER", "", "when set, widget tokens must carry this `iss`"
    )
    widget_employee_claim: str = env_field(
        "KOERS_WIDGET_EMPLOYEE_CLAIM",
        "oid",
        "token claim with the employee's Entra object id (the id Teams sends as "
        "`aadObjectId`): one employee key in both channels",
    )
    widget_token_max_lifetime_seconds: int = env_field(
        "KOERS_WIDGET_TOKEN_MAX_LIFETIME_SECONDS",
        8 * 3600,
        "longest allowed `exp - iat` of a widget token; longer-lived tokens are refused",
        note="8 h",
    )
    widget_max_message_chars: int = env_field(
        "KOERS_WIDGET_MAX_MESSAGE_CHARS",
        1500,
        "longer widget messages are refused with a Dutch answer",
    )
    widget_socket_url: str = env_field(
        "KOERS_WIDGET_SOCKET_URL",
        "",
        "Rasa's address for the demo page",
        clean=without_trailing_slash,
        note="the page's host on port `KOERS_RASA_PORT`",
    )
    widget_demo_page: bool = env_field(
        "KOERS_WIDGET_DEMO_PAGE", True, "demo intranet page at `/` (set `false` in production)"
    )
    widget_demo_municipality: str = env_field(
        "KOERS_WIDGET_DEMO_MUNICIPALITY", "GM9901", "municipality of the demo token"
    )


@dataclass(frozen=True)
class TeamsSettings:
    """The Microsoft Teams channel (bot/channels/teams); off while the app id is empty."""

    title: ClassVar[str] = "Microsoft Teams"

    teams_app_id: str = env_field(
        "KOERS_TEAMS_APP_ID",
        "",
        "Microsoft App ID of the Azure Bot; unset: the Teams channel is off",
    )
    teams_app_password: str = env_field(
        "KOERS_TEAMS_APP_PASSWORD", "", "client secret of the app registration"
    )
    teams_tenant_id: str = env_field(
        "KOERS_TEAMS_TENANT_ID", "", "tenant id of a single-tenant bot registration"
    )
    teams_openid_metadata_url: str = env_field(
        "KOERS_TEAMS_OPENID_METADATA_URL",
        "",
        "Bot Framework signing keys",
        note="`https://login.botframework.com/v1/.well-known/openidconfiguration`",
    )
    teams_token_endpoint: str = env_field(
        "KOERS_TEAMS_TOKEN_ENDPOINT", "", "token endpoint for replies", note="from the tenant"
    )
    teams_tenant_municipalities: tuple[str, ...] = env_field(
        "KOERS_TEAMS_TENANT_MUNICIPALITIES",
        (),
        "`<tenant id>=<municipality code>,…`: municipality + pseudonymous employee key for "
        "vouchers and trends",
    )
    teams_max_text_chars: int = env_field(
        "KOERS_TEAMS_MAX_TEXT_CHARS", 2000, "longer Teams messages get a polite refusal"
    )
    teams_allow_insecure_service_url: bool = env_field(
        "KOERS_TEAMS_ALLOW_INSECURE_SERVICE_URL", False, "tests only: accept an http serviceUrl"
    )


@dataclass(frozen=True)
class LedgerSettings:
    """Bookings, vouchers, the provider API and preparation sheets (bot/ledger, bot/preparation)."""

    title: ClassVar[str] = "Bookings, vouchers and the provider API"

    booking_horizon_days: int = env_field(
        "KOERS_BOOKING_HORIZON_DAYS", 42, "how far ahead to look for free times"
    )
    booking_email_retention_days: int = env_field(
        "KOERS_BOOKING_EMAIL_RETENTION_DAYS",
        7,
        "days after the appointment (or the workshop, for a waiting-list mail) before an "
        "employee's e-mail address and the mails holding it are deleted",
    )
    booking_changes_per_hour: int = env_field(
        "KOERS_BOOKING_CHANGES_PER_HOUR",
        5,
        "bookings and moves per conversation and per verified employee per hour (each one "
        "mails a coach)",
    )
    booking_anonymous_per_hour: int = env_field(
        "KOERS_BOOKING_ANONYMOUS_PER_HOUR",
        3,
        "new bookings per hour by all anonymous conversations together; `0` = only employees "
        "with a verified identity can book",
    )
    booking_anonymous_active_max: int = env_field(
        "KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX",
        20,
        "future bookings that anonymous conversations may hold at the same time",
    )
    voucher_valid_days: int = env_field(
        "KOERS_VOUCHER_VALID_DAYS", 365, "how long a voucher is valid"
    )
    provider_rate_limit_per_minute: int = env_field(
        "KOERS_PROVIDER_RATE_LIMIT_PER_MINUTE", 60, "provider API requests per key per minute"
    )
    ledger_housekeeping_minutes: int = env_field(
        "KOERS_LEDGER_HOUSEKEEPING_MINUTES",
        60,
        "web app job: delete expired e-mail addresses, expire vouchers, send waiting mail "
        "(0 = off)",
    )
    load_demo_data: bool = env_field(
        "KOERS_LOAD_DEMO_DATA",
        True,
        "load the fictional demo data on a fresh application database",
    )
    sheet_link_days: int = env_field(
        "KOERS_SHEET_LINK_DAYS",
        7,
        "days a preparation sheet's download link (and the sheet) lives when the employee "
        "gave no meeting date (at least 1)",
        clean=at_least_one,
    )
    sheet_link_max_days: int = env_field(
        "KOERS_SHEET_LINK_MAX_DAYS",
        60,
        "longest a preparation sheet lives: two days past the meeting date, at most this "
        "(at least 1)",
        clean=at_least_one,
    )
    opportunity_regional_days: int = env_field(
        "KOERS_OPPORTUNITY_REGIONAL_DAYS",
        14,
        "days a new vacancy is shown only to the cooperating municipalities of its "
        "labour-market region before it goes province-wide (0 = province-wide at once)",
        clean=not_negative,
    )
    opportunity_feed_tokens: tuple[str, ...] = env_field(
        "KOERS_OPPORTUNITY_FEED_TOKENS",
        (),
        "comma-separated `platform@provinces:token` entries, one per token of a regional "
        "vacancy platform pushing to `POST /api/opportunities/feed` with `Authorization: "
        "Bearer <token>` (platform: 2-20 of a-z, 0-9, -; token: at least 32 characters); "
        "`@gelderland+overijssel`: only listings of municipalities in those provinces (a push "
        "with any other is refused whole, 403), `@*`: every province; without `@` (the old "
        "`platform:token`) every province too, with a warning at start-up; a bad entry is "
        "left out (docs/provider-api.md)",
        note="no platform can push",
    )


@dataclass(frozen=True)
class NotifySettings:
    """Coach e-mail: SMTP and the outbox sender (bot/notify, ``python -m bot.notify.sender``)."""

    title: ClassVar[str] = "Coach e-mail"

    smtp_host: str = env_field(
        "KOERS_SMTP_HOST",
        "",
        "SMTP server for coach e-mails; unset: e-mails wait in the outbox table",
    )
    smtp_port: int = env_field("KOERS_SMTP_PORT", 587, "SMTP port")
    smtp_username: str = env_field("KOERS_SMTP_USERNAME", "", "SMTP login: user name")
    smtp_password: str = env_field("KOERS_SMTP_PASSWORD", "", "SMTP login: password")
    smtp_from: str = env_field("KOERS_SMTP_FROM", "Koers <noreply@localhost>", "sender address")
    smtp_security: str = env_field(
        "KOERS_SMTP_SECURITY", "starttls", "`starttls`, `tls` or `none`", clean=str.lower
    )
    smtp_timeout_seconds: int = env_field("KOERS_SMTP_TIMEOUT_SECONDS", 10, "SMTP timeout")
    outbox_poll_seconds: int = env_field(
        "KOERS_OUTBOX_POLL_SECONDS",
        2,
        "how often the outbox sender (`python -m bot.notify.sender`) looks for coach e-mail to "
        "send",
    )
    outbox_retry_seconds: int = env_field(
        "KOERS_OUTBOX_RETRY_SECONDS",
        30,
        "first wait after a failed send; doubled per try with jitter, at most an hour",
    )
    outbox_max_attempts: int = env_field(
        "KOERS_OUTBOX_MAX_ATTEMPTS",
        8,
        "tries before a message is marked `failed` (shown by `cli outbox`)",
    )


@dataclass(frozen=True)
class DashboardSettings:
    """The coordinators' trend dashboard and its log-in (bot/trends, docs/dashboard.md)."""

    title: ClassVar[str] = "Trend dashboard"

    trends_min_count: int = env_field(
        "KOERS_TRENDS_MIN_COUNT", 5, "smallest group the dashboard shows (never below 3)"
    )
    trends_retention_weeks: int = env_field(
        "KOERS_TRENDS_RETENTION_WEEKS",
        13,
        "trend events older than this are aggregated, then deleted",
    )
    trends_housekeeping_minutes: int = env_field(
        "KOERS_TRENDS_HOUSEKEEPING_MINUTES",
        360,
        "how often the web app applies trend retention (0 = off)",
    )
    dashboard_session_key: str = env_field(
        "KOERS_DASHBOARD_SESSION_KEY",
        "",
        "Fernet key for the dashboard session cookies (`python -m bot.trends.cli session-key`)",
        note="kept in `var/dashboard_session.key`",
    )
    dashboard_session_minutes: int = env_field(
        "KOERS_DASHBOARD_SESSION_MINUTES", 60, "longest a dashboard session lasts"
    )
    dashboard_secure_cookie: str = env_field(
        "KOERS_DASHBOARD_SECURE_COOKIE",
        "auto",
        "`auto` (Secure over HTTPS or a trusted proxy), `true`, `false`",
        clean=str.lower,
    )
    dashboard_trusted_proxies: tuple[str, ...] = env_field(
        "KOERS_DASHBOARD_TRUSTED_PROXIES",
        (),
        "comma-separated proxy IPs whose `X-Forwarded-Proto` and `X-Forwarded-For` are trusted "
        "(the client address for the lockout)",
    )
    dashboard_max_failures: int = env_field(
        "KOERS_DASHBOARD_MAX_FAILURES",
        5,
        "failed log-ins for one account from one client before that client is locked for it",
    )
    dashboard_lockout_minutes: int = env_field(
        "KOERS_DASHBOARD_LOCKOUT_MINUTES", 15, "how long a lockout lasts"
    )
    dashboard_client_max_failures: int = env_field(
        "KOERS_DASHBOARD_CLIENT_MAX_FAILURES",
        20,
        "failed log-ins from one client (any user names) within an hour before the client is "
        "locked",
    )
    dashboard_account_max_failures: int = env_field(
        "KOERS_DASHBOARD_ACCOUNT_MAX_FAILURES",
        50,
        "failed log-ins for one account from all clients within an hour; then only clients that "
        "never failed on it may still try (once)",
    )
    dashboard_login_concurrency: int = env_field(
        "KOERS_DASHBOARD_LOGIN_CONCURRENCY",
        4,
        "password checks (argon2) at the same time, per web-app process",
    )
    dashboard_logins_per_minute: int = env_field(
        "KOERS_DASHBOARD_LOGINS_PER_MINUTE",
        60,
        'password checks per minute per web-app process; more get "try again in a minute"',
    )


SECTIONS: tuple[type[Any], ...] = (
    WebSettings,
    RasaSettings,
    SecuritySettings,
    DatabaseSettings,
    SharedStateSettings,
    PrivacySettings,
    WidgetSettings,
    TeamsSettings,
    LedgerSettings,
    NotifySettings,
    DashboardSettings,
)


# dataclasses collect the fields of the last base first: in reverse, they follow SECTIONS.
@dataclass(frozen=True)
class Settings(
    DashboardSettings,
    NotifySettings,
    LedgerSettings,
    TeamsSettings,
    WidgetSettings,
    PrivacySettings,
    SharedStateSettings,
    DatabaseSettings,
    SecuritySettings,
    RasaSettings,
    WebSettings,
):
    """Every section in one object; build it with :func:`load_settings`."""

    title: ClassVar[str] = "All settings"


def _check_sections() -> None:
    """Two sections with one field name would silently share it: refuse that at import."""
    seen: dict[str, str] = {}
    envs: dict[str, str] = {}
    for section in SECTIONS:
        for item in fields(section):
            env = _setting(item).env
            if item.name in seen or env in envs:
                raise TypeError(f"{section.__name__}.{item.name} ({env}) is declared twice")
            if not env.startswith(ENV_PREFIX):
                raise TypeError(f"{env}: load_settings() only watches KOERS_ variables")
            seen[item.name] = section.__name__
            envs[env] = item.name
    if set(Settings.__mro__[1:-1]) != set(SECTIONS) or len(fields(Settings)) != len(seen):
        raise TypeError("Settings must inherit exactly the classes in SECTIONS")


def _setting(item: Field[Any]) -> EnvSetting:
    setting = item.metadata.get(_METADATA_KEY)
    if not isinstance(setting, EnvSetting):
        raise TypeError(f"settings field {item.name} is not declared with env_field()")
    return setting


_check_sections()
_ENV_FIELDS: tuple[tuple[Field[Any], EnvSetting], ...] = tuple(
    (item, _setting(item)) for item in fields(Settings)
)
ENV_NAMES: tuple[str, ...] = tuple(setting.env for _, setting in _ENV_FIELDS)


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Settings from ``environ`` alone (no cache): every field read the same generic way."""
    values = {item.name: setting.read(environ, item.default) for item, setting in _ENV_FIELDS}
    return Settings(**values)


@dataclass(frozen=True)
class _Loaded:
    snapshot: tuple[tuple[str, str], ...]
    settings: Settings


_last_loaded: _Loaded | None = None  # one entry: the settings of the current environment


def load_settings() -> Settings:
    """The settings of the current environment, parsed again only when a KOERS_ variable changed.

    The same KOERS_ variables give the same object, so a turn that asks several times (the
    coach actions do) parses once; the check is one pass over ``os.environ``. Tests that change
    ``os.environ`` (monkeypatch) simply get new settings: no cache to clear.
    """
    global _last_loaded
    snapshot = tuple(item for item in os.environ.items() if item[0].startswith(ENV_PREFIX))
    last = _last_loaded
    if last is not None and last.snapshot == snapshot:
        return last.settings
    _last_loaded = _Loaded(snapshot, settings_from(dict(snapshot)))
    return _last_loaded.settings


# --- Variables that scripts, tools or tests read (documented here, not in Settings) ----------


@dataclass(frozen=True)
class OtherVariable:
    """A variable outside :class:`Settings`; ``default`` is literal text ("" = unset)."""

    env: str
    section: str  # the title of the README table it belongs in
    default: str
    description: str
    note: str = ""


SCRIPTS_SECTION = "Scripts, tools and tests"
OTHER_VARIABLES: tuple[OtherVariable, ...] = (
    # scripts/env.sh keeps these defaults: only the scripts and Rasa's yml files read them
    OtherVariable("KOERS_ACTION_PORT", RasaSettings.title, "5055", "action server port"),
    OtherVariable(
        "KOERS_ACTION_ENDPOINT_URL",
        RasaSettings.title,
        "http://127.0.0.1:5055/webhook",
        "where Rasa finds the action server (`endpoints.yml`)",
    ),
    OtherVariable("KOERS_MODEL", RasaSettings.title, "models/koers.tar.gz", "the trained model"),
    OtherVariable(
        "KOERS_RASA_AUTH_TOKEN",
        RasaSettings.title,
        "",
        "if set, Rasa's HTTP API is enabled behind this token",
    ),
    OtherVariable(
        "KOERS_TEAMS_DEVELOPER_NAME",
        TeamsSettings.title,
        "Koers",
        "developer name in the Teams app package",
    ),
    OtherVariable(
        "KOERS_TEAMS_WEBSITE_URL",
        TeamsSettings.title,
        "",
        "developer website in the Teams app package (https)",
        note="`KOERS_PUBLIC_BASE_URL`",
    ),
    OtherVariable(
        "KOERS_TEAMS_PRIVACY_URL",
        TeamsSettings.title,
        "",
        "privacy statement in the Teams app package (https)",
        note="`KOERS_PUBLIC_BASE_URL/privacy`",
    ),
    OtherVariable(
        "KOERS_TEAMS_TERMS_URL",
        TeamsSettings.title,
        "",
        "terms of use in the Teams app package (https)",
        note="`KOERS_PUBLIC_BASE_URL/voorwaarden`",
    ),
    OtherVariable("KOERS_VENV", SCRIPTS_SECTION, ".venv", "virtualenv location"),
    OtherVariable(
        "KOERS_PYTHON",
        SCRIPTS_SECTION,
        "",
        "Python 3.10 to create the virtualenv with",
        note="found automatically",
    ),
    OtherVariable(
        "KOERS_SPACY_MODEL_DIR",
        SCRIPTS_SECTION,
        "",
        "local Dutch spaCy pipeline to install; without it the official release is downloaded",
        note="`../shared/models/nl_core_news_sm` if present",
    ),
    OtherVariable(
        "KOERS_INSTALLER",
        SCRIPTS_SECTION,
        "uv",
        "`uv` or `pip`: what installs the pinned Python packages (uv falls back to pip)",
    ),
    OtherVariable("KOERS_UV_VERSION", SCRIPTS_SECTION, "0.5.11", "the uv release the set-up uses"),
    OtherVariable("KOERS_FORCE_TRAIN", SCRIPTS_SECTION, "", "`1`: train even if nothing changed"),
    OtherVariable("KOERS_SCALE_INSTANCES", SCRIPTS_SECTION, "2", "Rasa instances for `make scale`"),
    OtherVariable(
        "KOERS_SCALE_PORT", SCRIPTS_SECTION, "", "nginx port for `make scale`", note="a free port"
    ),
    OtherVariable(
        "KOERS_SCALE_WORKERS",
        SCRIPTS_SECTION,
        "1",
        "Sanic worker processes per Rasa instance in `make scale` (sets Rasa's "
        '`SANIC_WORKERS`; see "Performance")',
    ),
    OtherVariable("KOERS_BENCH_QUICK", SCRIPTS_SECTION, "", "quick smoke run of `make bench`"),
    OtherVariable(
        "KOERS_BENCH_BASELINE", SCRIPTS_SECTION, "", "bare-bot baseline also in quick mode"
    ),
    OtherVariable(
        "KOERS_BENCH_WORKERS",
        SCRIPTS_SECTION,
        "0",
        "`make bench` also measures Koers on PostgreSQL and Redis with this many Sanic workers "
        "(0 or 1: skip)",
    ),
    OtherVariable(
        "KOERS_BENCH_TRAIN", SCRIPTS_SECTION, "", "training from scratch also in quick mode"
    ),
    OtherVariable(
        "KOERS_TURN_PROFILE",
        SCRIPTS_SECTION,
        "",
        "Rasa server: write where each turn's time goes to this JSON file (`make bench` sets "
        "it; off when empty)",
    ),
    OtherVariable(
        "KOERS_SOAK_MINUTES", SCRIPTS_SECTION, "20", "how long `make soak` runs (at most 1440)"
    ),
    OtherVariable(
        "KOERS_SOAK_EMPLOYEES",
        SCRIPTS_SECTION,
        "4",
        "how many simulated employees talk at once in `make soak`",
    ),
    OtherVariable(
        "KOERS_SOAK_WINDOW_MINUTES", SCRIPTS_SECTION, "5", "`make soak`: window of the p95 figures"
    ),
    OtherVariable(
        "KOERS_SOAK_THINK_SECONDS",
        SCRIPTS_SECTION,
        "1.0",
        "`make soak`: mean pause between two messages",
    ),
    OtherVariable("KOERS_CV_FOLDS", SCRIPTS_SECTION, "3", "folds for `make nlu-report`"),
    OtherVariable(
        "KOERS_TEST_POSTGRES_URL",
        SCRIPTS_SECTION,
        "postgresql://postgres@127.0.0.1:5432/test",
        "PostgreSQL for the tests",
    ),
    OtherVariable(
        "KOERS_TEST_WORKERS",
        SCRIPTS_SECTION,
        "2",
        "pytest-xdist workers of `make test` (each starts its own Rasa and action server)",
    ),
    OtherVariable(
        "KOERS_CHROMIUM",
        SCRIPTS_SECTION,
        "",
        "Chromium for the browser tests",
        note="the system Chromium",
    ),
)


# --- Documentation and shell output, generated from the declarations above -----------------


@dataclass(frozen=True)
class DocumentedVariable:
    """One row of the README's tables and one entry of ``.env.example``."""

    env: str
    section: str
    value: str  # literal, as in a .env file; "" = unset
    description: str
    note: str


def _literal(value: object) -> str:
    """A value as the environment spells it; paths inside the project relative to its root."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value).replace(f"{PROJECT_ROOT}/", "")


def documented_variables() -> Iterator[DocumentedVariable]:
    """Every variable, section by section: the settings first, then the other variables."""
    titles = [section.title for section in SECTIONS] + [SCRIPTS_SECTION]
    for title in titles:
        for section in SECTIONS:
            if section.title != title:
                continue
            for item in fields(section):
                setting = _setting(item)
                yield DocumentedVariable(
                    setting.env, title, _literal(item.default), setting.description, setting.note
                )
        for other in OTHER_VARIABLES:
            if other.section == title:
                yield DocumentedVariable(
                    other.env, title, other.default, other.description, other.note
                )


def _shown_default(variable: DocumentedVariable) -> str:
    """`value` (note), or unset: note."""
    if not variable.value:
        return f"unset: {variable.note}" if variable.note else "unset"
    shown = f"`{variable.value}`"
    return f"{shown} ({variable.note})" if variable.note else shown


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


README_BEGIN = "<!-- settings tables: generated by `python -m bot.config --write-docs` -->"
README_END = "<!-- end of the settings tables -->"


def markdown_tables() -> str:
    """The README's configuration tables, one per section."""
    lines: list[str] = [README_BEGIN]
    section = None
    for variable in documented_variables():
        if variable.section != section:
            section = variable.section
            lines += ["", f"### {section}", "", "| variable | default | meaning |", "|---|---|---|"]
        lines.append(
            f"| `{variable.env}` | {_cell(_shown_default(variable))} "
            f"| {_cell(variable.description)} |"
        )
    lines += ["", README_END]
    return "\n".join(lines) + "\n"


def env_example() -> str:
    """``.env.example``: every variable, commented out, with its default."""
    lines = [
        "# Copy to .env to override defaults; scripts/env.sh reads it. Never commit .env.",
        "# Secrets come only from the environment.",
        "# Generated by `python -m bot.config --write-docs` from bot/config.py: every variable,",
        "# with its default; uncomment what you change. The README explains each in its tables.",
    ]
    section = None
    for variable in documented_variables():
        if variable.section != section:
            section = variable.section
            lines += ["", f"# --- {section} ---"]
        note = ""
        if variable.note:
            note = f" ({variable.note})" if variable.value else f"; unset: {variable.note}"
        lines.append(f"# {variable.description}{note}".replace("`", ""))
        value = shlex.quote(variable.value) if variable.value else ""
        lines.append(f"# {variable.env}={value}")
    return "\n".join(lines) + "\n"


def shell_exports(settings: Settings) -> str:
    """``export`` lines for the settings scripts and Rasa's yml files need before Rasa starts."""
    lines = []
    for item, setting in _ENV_FIELDS:
        if setting.shell:
            value = getattr(settings, item.name)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if isinstance(value, tuple):
                text = ",".join(value)
            lines.append(f"export {setting.env}={shlex.quote(text)}")
    return "\n".join(lines) + "\n"


def readme_with_tables(readme: str) -> str:
    """``readme`` with the text between the two markers replaced by :func:`markdown_tables`."""
    start = readme.index(README_BEGIN)
    end = readme.index(README_END) + len(README_END) + 1
    return readme[:start] + markdown_tables() + readme[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.config", description="Koers settings: documentation and shell values"
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--markdown", action="store_true", help="print the README tables")
    group.add_argument("--env-example", action="store_true", help="print .env.example")
    group.add_argument(
        "--write-docs", action="store_true", help="rewrite README's tables and .env.example"
    )
    group.add_argument("--shell", action="store_true", help="print export lines for scripts/env.sh")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown_tables())
    elif args.env_example:
        sys.stdout.write(env_example())
    elif args.write_docs:
        README.write_text(readme_with_tables(README.read_text(encoding="utf-8")), encoding="utf-8")
        ENV_EXAMPLE.write_text(env_example(), encoding="utf-8")
    else:
        try:
            sys.stdout.write(shell_exports(load_settings()))
        except ValueError as exc:
            print(f"Koers settings: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
