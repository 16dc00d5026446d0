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
    booking_email_retention_days: int = 7
    booking_horizon_days: int = 42
    voucher_valid_days: int = 365
    provider_rate_limit_per_minute: int = 60
    ledger_housekeeping_minutes: int = 60
    load_demo_data: bool = True


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
        booking_email_retention_days=_env_int("KOERS_BOOKING_EMAIL_RETENTION_DAYS", 7),
        booking_horizon_days=_env_int("KOERS_BOOKING_HORIZON_DAYS", 42),
        voucher_valid_days=_env_int("KOERS_VOUCHER_VALID_DAYS", 365),
        provider_rate_limit_per_minute=_env_int("KOERS_PROVIDER_RATE_LIMIT_PER_MINUTE", 60),
        ledger_housekeeping_minutes=_env_int("KOERS_LEDGER_HOUSEKEEPING_MINUTES", 60),
        load_demo_data=_env_bool("KOERS_LOAD_DEMO_DATA", True),
    )
