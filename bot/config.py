"""Settings for every Koers process, read from the environment only (secrets included).

Every variable is documented in the README and in `.env.example`. Defaults give a working
embedded set-up on SQLite in ``var/``; production sets database URLs and secrets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
# Employee numbers without a context word ("personeelsnummer ...") are only recognised by this
# pattern; municipalities with another format set KOERS_EMPLOYEE_NUMBER_PATTERN.
DEFAULT_EMPLOYEE_NUMBER_PATTERN = r"\b(?:[Pp]|[Mm][Ww]|[Ee]mp)[-.]?\d{5,7}\b"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "ja", "on"}:
        return True
    if raw in {"0", "false", "no", "nee", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def default_sqlite_url(filename: str) -> str:
    return f"sqlite:///{VAR_DIR / filename}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :func:`load_settings`."""

    database_url: str = field(default_factory=lambda: default_sqlite_url("koers.db"))
    tracker_db_url: str = field(default_factory=lambda: default_sqlite_url("tracker.db"))
    web_host: str = "0.0.0.0"
    web_port: int = 8080
    public_base_url: str = "http://localhost:8080"
    log_level: str = "INFO"
    pseudonym_secret: str = ""
    # privacy (bot/privacy, docs/privacy-tech.md)
    pseudonym_secret_previous: str = ""
    pseudonym_key_version: int = 1
    pseudonym_secret_required: bool = False
    retention_days: int = 30
    retention_interval_minutes: int = 360
    scrub_max_chars: int = 2000
    employee_number_pattern: str = DEFAULT_EMPLOYEE_NUMBER_PATTERN
    spacy_model: str = "nl_core_news_sm"
    erasure_hooks: tuple[str, ...] = ()
    # ledger: bookings, vouchers, provider API, coach e-mail (bot/ledger, bot/notify)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Koers <noreply@localhost>"
    smtp_security: str = "starttls"
    smtp_timeout_seconds: int = 10
    # outbox sender (python -m bot.notify.sender): poll interval, backoff base, tries
    outbox_poll_seconds: int = 2
    outbox_retry_seconds: int = 30
    outbox_max_attempts: int = 8
    booking_email_retention_days: int = 7
    booking_horizon_days: int = 42
    # booking limits (bot/ledger/booking.py, docs/security.md): per conversation and per
    # verified employee, and for all anonymous conversations together (0: verified only)
    booking_changes_per_hour: int = 5
    booking_anonymous_per_hour: int = 3
    booking_anonymous_active_max: int = 20
    voucher_valid_days: int = 365
    provider_rate_limit_per_minute: int = 60
    ledger_housekeeping_minutes: int = 60
    load_demo_data: bool = True
    # conversation preparation (bot/preparation): how long a sheet's download link lives
    sheet_link_days: int = 7
    # trend dashboard (bot/trends, docs/dashboard.md)
    trends_min_count: int = 5
    trends_retention_weeks: int = 13
    trends_housekeeping_minutes: int = 360
    dashboard_session_key: str = ""
    dashboard_session_minutes: int = 60
    dashboard_secure_cookie: str = "auto"  # auto (https or a trusted proxy says so), true, false
    dashboard_trusted_proxies: tuple[str, ...] = ()
    dashboard_max_failures: int = 5
    dashboard_lockout_minutes: int = 15
    dashboard_client_max_failures: int = 20  # failed logins from one client, any user name
    dashboard_account_max_failures: int = 50  # then only clients that never failed may try
    dashboard_login_concurrency: int = 4  # password checks (argon2) at the same time
    dashboard_logins_per_minute: int = 60  # password checks per minute per web-app process
    # Microsoft Teams channel (bot/teams); off while teams_app_id is empty
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    teams_openid_metadata_url: str = ""
    teams_token_endpoint: str = ""
    teams_tenant_municipalities: tuple[str, ...] = ()
    teams_max_text_chars: int = 2000
    teams_allow_insecure_service_url: bool = False
    # resilience (bot/resilience): action timeout, request size, database retries
    action_timeout_seconds: int = 20
    max_request_bytes: int = 65536
    db_retry_seconds: int = 20
    # off the event loop (bot/rasa_ext/off_loop.py): a stalled database costs one turn, not all
    db_connect_timeout_seconds: int = 5
    db_statement_timeout_seconds: int = 15
    db_threads: int = 8
    max_pending_per_sender: int = 5
    # shared state across Rasa instances (bot/shared_state.py): the lock store's Redis;
    # unset: every process keeps it in its own memory
    redis_host: str = ""
    redis_port: int = 6379
    redis_db: int = 0
    # chat widget and its token (bot/channels/widget/auth.py, bot/channels/widget/socket.py, bot/web/widget_*)
    widget_jwt_secrets: str = ""
    widget_jwt_public_keys: str = ""
    widget_jwt_audience: str = "koers"
    widget_max_message_chars: int = 1500
    widget_socket_url: str = ""  # empty: the demo page uses its own host and KOERS_RASA_PORT
    rasa_port: int = 5005
    widget_demo_page: bool = True
    widget_demo_municipality: str = "GM9901"
    # trust boundaries (bot/channels/identity.py, docs/security.md)
    identity_secret: str = ""  # signs identity claims; the same in Rasa and the action server
    action_secret: str = ""  # header secret every action-server call must carry
    action_host: str = "127.0.0.1"  # the action server binds to loopback unless configured
    rest_enabled: bool = False  # the REST channel is for development and tests only
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the Rasa server from a browser
    widget_employee_claim: str = "oid"  # token claim with the Entra object id (same as Teams)
    widget_token_max_lifetime_seconds: int = 8 * 3600
    widget_jwt_issuer: str = ""  # when set, widget tokens must carry this iss


def load_settings() -> Settings:
    return Settings(
        database_url=_env("KOERS_DATABASE_URL", default_sqlite_url("koers.db")),
        tracker_db_url=_env("KOERS_TRACKER_DB_URL", default_sqlite_url("tracker.db")),
        web_host=_env("KOERS_WEB_HOST", "0.0.0.0"),
        web_port=_env_int("KOERS_WEB_PORT", 8080),
        public_base_url=_env("KOERS_PUBLIC_BASE_URL", "http://localhost:8080").rstrip("/"),
        log_level=_env("KOERS_LOG_LEVEL", "INFO").upper(),
        pseudonym_secret=_env("KOERS_PSEUDONYM_SECRET", ""),
        pseudonym_secret_previous=_env("KOERS_PSEUDONYM_SECRET_PREVIOUS", ""),
        pseudonym_key_version=_env_int("KOERS_PSEUDONYM_KEY_VERSION", 1),
        pseudonym_secret_required=_env_bool("KOERS_PSEUDONYM_SECRET_REQUIRED", False),
        retention_days=_env_int("KOERS_RETENTION_DAYS", 30),
        retention_interval_minutes=_env_int("KOERS_RETENTION_INTERVAL_MINUTES", 360),
        scrub_max_chars=_env_int("KOERS_SCRUB_MAX_CHARS", 2000),
        employee_number_pattern=_env(
            "KOERS_EMPLOYEE_NUMBER_PATTERN", DEFAULT_EMPLOYEE_NUMBER_PATTERN
        ),
        spacy_model=_env("KOERS_SPACY_MODEL", "nl_core_news_sm"),
        erasure_hooks=_env_list("KOERS_ERASURE_HOOKS"),
        smtp_host=_env("KOERS_SMTP_HOST", ""),
        smtp_port=_env_int("KOERS_SMTP_PORT", 587),
        smtp_username=_env("KOERS_SMTP_USERNAME", ""),
        smtp_password=_env("KOERS_SMTP_PASSWORD", ""),
        smtp_from=_env("KOERS_SMTP_FROM", "Koers <noreply@localhost>"),
        smtp_security=_env("KOERS_SMTP_SECURITY", "starttls").lower(),
        smtp_timeout_seconds=_env_int("KOERS_SMTP_TIMEOUT_SECONDS", 10),
        outbox_poll_seconds=_env_int("KOERS_OUTBOX_POLL_SECONDS", 2),
        outbox_retry_seconds=_env_int("KOERS_OUTBOX_RETRY_SECONDS", 30),
        outbox_max_attempts=_env_int("KOERS_OUTBOX_MAX_ATTEMPTS", 8),
        booking_email_retention_days=_env_int("KOERS_BOOKING_EMAIL_RETENTION_DAYS", 7),
        booking_horizon_days=_env_int("KOERS_BOOKING_HORIZON_DAYS", 42),
        booking_changes_per_hour=_env_int("KOERS_BOOKING_CHANGES_PER_HOUR", 5),
        booking_anonymous_per_hour=_env_int("KOERS_BOOKING_ANONYMOUS_PER_HOUR", 3),
        booking_anonymous_active_max=_env_int("KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX", 20),
        voucher_valid_days=_env_int("KOERS_VOUCHER_VALID_DAYS", 365),
        provider_rate_limit_per_minute=_env_int("KOERS_PROVIDER_RATE_LIMIT_PER_MINUTE", 60),
        ledger_housekeeping_minutes=_env_int("KOERS_LEDGER_HOUSEKEEPING_MINUTES", 60),
        load_demo_data=_env_bool("KOERS_LOAD_DEMO_DATA", True),
        sheet_link_days=max(1, _env_int("KOERS_SHEET_LINK_DAYS", 7)),
        trends_min_count=_env_int("KOERS_TRENDS_MIN_COUNT", 5),
        trends_retention_weeks=_env_int("KOERS_TRENDS_RETENTION_WEEKS", 13),
        trends_housekeeping_minutes=_env_int("KOERS_TRENDS_HOUSEKEEPING_MINUTES", 360),
        dashboard_session_key=_env("KOERS_DASHBOARD_SESSION_KEY", ""),
        dashboard_session_minutes=_env_int("KOERS_DASHBOARD_SESSION_MINUTES", 60),
        dashboard_secure_cookie=_env("KOERS_DASHBOARD_SECURE_COOKIE", "auto").lower(),
        dashboard_trusted_proxies=_env_list("KOERS_DASHBOARD_TRUSTED_PROXIES"),
        dashboard_max_failures=_env_int("KOERS_DASHBOARD_MAX_FAILURES", 5),
        dashboard_lockout_minutes=_env_int("KOERS_DASHBOARD_LOCKOUT_MINUTES", 15),
        dashboard_client_max_failures=_env_int("KOERS_DASHBOARD_CLIENT_MAX_FAILURES", 20),
        dashboard_account_max_failures=_env_int("KOERS_DASHBOARD_ACCOUNT_MAX_FAILURES", 50),
        dashboard_login_concurrency=_env_int("KOERS_DASHBOARD_LOGIN_CONCURRENCY", 4),
        dashboard_logins_per_minute=_env_int("KOERS_DASHBOARD_LOGINS_PER_MINUTE", 60),
        teams_app_id=_env("KOERS_TEAMS_APP_ID", ""),
        teams_app_password=_env("KOERS_TEAMS_APP_PASSWORD", ""),
        teams_tenant_id=_env("KOERS_TEAMS_TENANT_ID", ""),
        teams_openid_metadata_url=_env("KOERS_TEAMS_OPENID_METADATA_URL", ""),
        teams_token_endpoint=_env("KOERS_TEAMS_TOKEN_ENDPOINT", ""),
        teams_tenant_municipalities=_env_list("KOERS_TEAMS_TENANT_MUNICIPALITIES"),
        teams_max_text_chars=_env_int("KOERS_TEAMS_MAX_TEXT_CHARS", 2000),
        teams_allow_insecure_service_url=_env_bool(
            "KOERS_TEAMS_ALLOW_INSECURE_SERVICE_URL", False
        ),
        action_timeout_seconds=_env_int("KOERS_ACTION_TIMEOUT_SECONDS", 20),
        max_request_bytes=_env_int("KOERS_MAX_REQUEST_BYTES", 65536),
        db_retry_seconds=_env_int("KOERS_DB_RETRY_SECONDS", 20),
        db_connect_timeout_seconds=_env_int("KOERS_DB_CONNECT_TIMEOUT_SECONDS", 5),
        db_statement_timeout_seconds=_env_int("KOERS_DB_STATEMENT_TIMEOUT_SECONDS", 15),
        db_threads=max(1, _env_int("KOERS_DB_THREADS", 8)),
        max_pending_per_sender=_env_int("KOERS_MAX_PENDING_PER_SENDER", 5),
        redis_host=_env("KOERS_REDIS_HOST", ""),
        redis_port=_env_int("KOERS_REDIS_PORT", 6379),
        redis_db=_env_int("KOERS_REDIS_DB", 0),
        widget_jwt_secrets=os.environ.get("KOERS_WIDGET_JWT_SECRETS", "").strip(),
        widget_jwt_public_keys=os.environ.get("KOERS_WIDGET_JWT_PUBLIC_KEYS", "").strip(),
        widget_jwt_audience=_env("KOERS_WIDGET_JWT_AUDIENCE", "koers"),
        widget_max_message_chars=_env_int("KOERS_WIDGET_MAX_MESSAGE_CHARS", 1500),
        widget_socket_url=_env("KOERS_WIDGET_SOCKET_URL", "").rstrip("/"),
        rasa_port=_env_int("KOERS_RASA_PORT", 5005),
        widget_demo_page=_env_bool("KOERS_WIDGET_DEMO_PAGE", True),
        widget_demo_municipality=_env("KOERS_WIDGET_DEMO_MUNICIPALITY", "GM9901"),
        identity_secret=_env("KOERS_IDENTITY_SECRET", ""),
        action_secret=_env("KOERS_ACTION_SECRET", ""),
        action_host=_env("KOERS_ACTION_HOST", "127.0.0.1"),
        rest_enabled=_env_bool("KOERS_REST_ENABLED", False),
        cors_origins=_env_list("KOERS_CORS_ORIGINS"),
        widget_employee_claim=_env("KOERS_WIDGET_EMPLOYEE_CLAIM", "oid"),
        widget_token_max_lifetime_seconds=_env_int(
            "KOERS_WIDGET_TOKEN_MAX_LIFETIME_SECONDS", 8 * 3600
        ),
        widget_jwt_issuer=_env("KOERS_WIDGET_JWT_ISSUER", ""),
    )
