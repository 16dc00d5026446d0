"""Settings (bot/config.py): defaults, parsing, the cache, the README, .env.example, env.sh.

The defaults are compared with a table captured from the flat ``Settings`` before it was split
into sections, so a default cannot change by accident. The README tables, ``.env.example`` and
``scripts/env.sh`` are checked against the declarations, so they cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import config
from bot.config import (
    OTHER_VARIABLES,
    PROJECT_ROOT,
    README_BEGIN,
    README_END,
    SECTIONS,
    NotifySettings,
    Settings,
    WebSettings,
    load_settings,
    settings_from,
)

ROOT_MARK = "{ROOT}"
# (field, variable, default) of every setting, captured from bot/config.py at commit 992c192
# (before the sections); {ROOT} is the project root.
OLD_DEFAULTS: list[tuple[str, str, object]] = [
    ("database_url", "KOERS_DATABASE_URL", "sqlite:///{ROOT}/var/koers.db"),
    ("tracker_db_url", "KOERS_TRACKER_DB_URL", "sqlite:///{ROOT}/var/tracker.db"),
    ("web_host", "KOERS_WEB_HOST", "0.0.0.0"),
    ("web_port", "KOERS_WEB_PORT", 8080),
    ("public_base_url", "KOERS_PUBLIC_BASE_URL", "http://localhost:8080"),
    ("log_level", "KOERS_LOG_LEVEL", "INFO"),
    ("pseudonym_secret", "KOERS_PSEUDONYM_SECRET", ""),
    ("pseudonym_secret_previous", "KOERS_PSEUDONYM_SECRET_PREVIOUS", ""),
    ("pseudonym_key_version", "KOERS_PSEUDONYM_KEY_VERSION", 1),
    ("pseudonym_secret_required", "KOERS_PSEUDONYM_SECRET_REQUIRED", False),
    ("retention_days", "KOERS_RETENTION_DAYS", 30),
    ("retention_interval_minutes", "KOERS_RETENTION_INTERVAL_MINUTES", 360),
    ("scrub_max_chars", "KOERS_SCRUB_MAX_CHARS", 2000),
    (
        "employee_number_pattern",
        "KOERS_EMPLOYEE_NUMBER_PATTERN",
        "\\b(?:[Pp]|[Mm][Ww]|[Ee]mp)[-.]?\\d{5,7}\\b",
    ),
    ("spacy_model", "KOERS_SPACY_MODEL", "nl_core_news_sm"),
    ("erasure_hooks", "KOERS_ERASURE_HOOKS", ()),
    ("smtp_host", "KOERS_SMTP_HOST", ""),
    ("smtp_port", "KOERS_SMTP_PORT", 587),
    ("smtp_username", "KOERS_SMTP_USERNAME", ""),
    ("smtp_password", "KOERS_SMTP_PASSWORD", ""),
    ("smtp_from", "KOERS_SMTP_FROM", "Koers <noreply@localhost>"),
    ("smtp_security", "KOERS_SMTP_SECURITY", "starttls"),
    ("smtp_timeout_seconds", "KOERS_SMTP_TIMEOUT_SECONDS", 10),
    ("outbox_poll_seconds", "KOERS_OUTBOX_POLL_SECONDS", 2),
    ("outbox_retry_seconds", "KOERS_OUTBOX_RETRY_SECONDS", 30),
    ("outbox_max_attempts", "KOERS_OUTBOX_MAX_ATTEMPTS", 8),
    ("booking_email_retention_days", "KOERS_BOOKING_EMAIL_RETENTION_DAYS", 7),
    ("booking_horizon_days", "KOERS_BOOKING_HORIZON_DAYS", 42),
    ("booking_changes_per_hour", "KOERS_BOOKING_CHANGES_PER_HOUR", 5),
    ("booking_anonymous_per_hour", "KOERS_BOOKING_ANONYMOUS_PER_HOUR", 3),
    ("booking_anonymous_active_max", "KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX", 20),
    ("voucher_valid_days", "KOERS_VOUCHER_VALID_DAYS", 365),
    ("provider_rate_limit_per_minute", "KOERS_PROVIDER_RATE_LIMIT_PER_MINUTE", 60),
    ("ledger_housekeeping_minutes", "KOERS_LEDGER_HOUSEKEEPING_MINUTES", 60),
    ("load_demo_data", "KOERS_LOAD_DEMO_DATA", True),
    ("sheet_link_days", "KOERS_SHEET_LINK_DAYS", 7),
    ("sheet_link_max_days", "KOERS_SHEET_LINK_MAX_DAYS", 60),
    ("opportunity_regional_days", "KOERS_OPPORTUNITY_REGIONAL_DAYS", 14),
    ("opportunity_feed_tokens", "KOERS_OPPORTUNITY_FEED_TOKENS", ()),
    ("trends_min_count", "KOERS_TRENDS_MIN_COUNT", 5),
    ("trends_retention_weeks", "KOERS_TRENDS_RETENTION_WEEKS", 13),
    ("trends_housekeeping_minutes", "KOERS_TRENDS_HOUSEKEEPING_MINUTES", 360),
    ("dashboard_session_key", "KOERS_DASHBOARD_SESSION_KEY", ""),
    ("dashboard_session_minutes", "KOERS_DASHBOARD_SESSION_MINUTES", 60),
    ("dashboard_secure_cookie", "KOERS_DASHBOARD_SECURE_COOKIE", "auto"),
    ("dashboard_trusted_proxies", "KOERS_DASHBOARD_TRUSTED_PROXIES", ()),
    ("dashboard_max_failures", "KOERS_DASHBOARD_MAX_FAILURES", 5),
    ("dashboard_lockout_minutes", "KOERS_DASHBOARD_LOCKOUT_MINUTES", 15),
    ("dashboard_client_max_failures", "KOERS_DASHBOARD_CLIENT_MAX_FAILURES", 20),
    ("dashboard_account_max_failures", "KOERS_DASHBOARD_ACCOUNT_MAX_FAILURES", 50),
    ("dashboard_login_concurrency", "KOERS_DASHBOARD_LOGIN_CONCURRENCY", 4),
    ("dashboard_logins_per_minute", "KOERS_DASHBOARD_LOGINS_PER_MINUTE", 60),
    ("teams_app_id", "KOERS_TEAMS_APP_ID", ""),
    ("teams_app_password", "KOERS_TEAMS_APP_PASSWORD", ""),
    ("teams_tenant_id", "KOERS_TEAMS_TENANT_ID", ""),
    ("teams_openid_metadata_url", "KOERS_TEAMS_OPENID_METADATA_URL", ""),
    ("teams_token_endpoint", "KOERS_TEAMS_TOKEN_ENDPOINT", ""),
    ("teams_tenant_municipalities", "KOERS_TEAMS_TENANT_MUNICIPALITIES", ()),
    ("teams_max_text_chars", "KOERS_TEAMS_MAX_TEXT_CHARS", 2000),
    ("teams_allow_insecure_service_url", "KOERS_TEAMS_ALLOW_INSECURE_SERVICE_URL", False),
    ("action_timeout_seconds", "KOERS_ACTION_TIMEOUT_SECONDS", 20),
    ("max_request_bytes", "KOERS_MAX_REQUEST_BYTES", 65536),
    ("db_retry_seconds", "KOERS_DB_RETRY_SECONDS", 20),
    ("db_connect_timeout_seconds", "KOERS_DB_CONNECT_TIMEOUT_SECONDS", 5),
    ("db_statement_timeout_seconds", "KOERS_DB_STATEMENT_TIMEOUT_SECONDS", 15),
    ("db_threads", "KOERS_DB_THREADS", 8),
    ("max_pending_per_sender", "KOERS_MAX_PENDING_PER_SENDER", 5),
    ("redis_host", "KOERS_REDIS_HOST", ""),
    ("redis_port", "KOERS_REDIS_PORT", 6379),
    ("redis_db", "KOERS_REDIS_DB", 0),
    ("widget_jwt_secrets", "KOERS_WIDGET_JWT_SECRETS", ""),
    ("widget_jwt_public_keys", "KOERS_WIDGET_JWT_PUBLIC_KEYS", ""),
    ("widget_jwt_audience", "KOERS_WIDGET_JWT_AUDIENCE", "koers"),
    ("widget_max_message_chars", "KOERS_WIDGET_MAX_MESSAGE_CHARS", 1500),
    ("widget_socket_url", "KOERS_WIDGET_SOCKET_URL", ""),
    ("rasa_port", "KOERS_RASA_PORT", 5005),
    ("widget_demo_page", "KOERS_WIDGET_DEMO_PAGE", True),
    ("widget_demo_municipality", "KOERS_WIDGET_DEMO_MUNICIPALITY", "GM9901"),
    ("identity_secret", "KOERS_IDENTITY_SECRET", ""),
    ("action_secret", "KOERS_ACTION_SECRET", ""),
    ("action_host", "KOERS_ACTION_HOST", "127.0.0.1"),
    ("rest_enabled", "KOERS_REST_ENABLED", False),
    ("cors_origins", "KOERS_CORS_ORIGINS", ()),
    ("widget_employee_claim", "KOERS_WIDGET_EMPLOYEE_CLAIM", "oid"),
    ("widget_token_max_lifetime_seconds", "KOERS_WIDGET_TOKEN_MAX_LIFETIME_SECONDS", 28800),
    ("widget_jwt_issuer", "KOERS_WIDGET_JWT_ISSUER", ""),
]


def _old_default(value: object, root: Path = PROJECT_ROOT) -> object:
    return value.replace(ROOT_MARK, str(root)) if isinstance(value, str) else value


def _env_name(item: dataclasses.Field) -> str:
    return item.metadata[config._METADATA_KEY].env


def test_every_field_keeps_its_variable_and_default() -> None:
    fields = {item.name: item for item in dataclasses.fields(Settings)}
    assert sorted(fields) == sorted(name for name, _, _ in OLD_DEFAULTS)
    parsed = settings_from({})
    for name, env, old in OLD_DEFAULTS:
        expected = _old_default(old)
        assert _env_name(fields[name]) == env, name
        assert fields[name].default == expected, name
        assert getattr(Settings(), name) == expected, name
        assert getattr(parsed, name) == expected, name
        assert type(getattr(parsed, name)) is type(expected), name


def test_every_field_lives_in_exactly_one_section() -> None:
    owners: dict[str, list[str]] = {}
    for section in SECTIONS:
        assert dataclasses.is_dataclass(section)
        assert section.__dataclass_params__.frozen, section.__name__
        for item in dataclasses.fields(section):
            owners.setdefault(item.name, []).append(section.__name__)
    assert {name: len(names) for name, names in owners.items() if len(names) != 1} == {}
    assert sorted(owners) == sorted(item.name for item in dataclasses.fields(Settings))
    settings = Settings(smtp_host="mail.example", web_port=9000)
    assert all(isinstance(settings, section) for section in SECTIONS)
    assert isinstance(settings, NotifySettings) and settings.smtp_host == "mail.example"
    assert isinstance(settings, WebSettings) and settings.web_port == 9000


def test_settings_stay_frozen_and_replaceable() -> None:
    settings = settings_from({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.web_port = 1  # type: ignore[misc]
    changed = dataclasses.replace(settings, database_url="sqlite://", ledger_housekeeping_minutes=0)
    assert (changed.database_url, changed.ledger_housekeeping_minutes) == ("sqlite://", 0)
    assert changed.web_port == settings.web_port


@pytest.mark.parametrize(
    ("env", "raw", "field", "expected"),
    [
        ("KOERS_WEB_PORT", " 9090 ", "web_port", 9090),
        ("KOERS_WEB_PORT", "   ", "web_port", 8080),
        ("KOERS_REDIS_DB", "-1", "redis_db", -1),
        ("KOERS_LOAD_DEMO_DATA", " Nee ", "load_demo_data", False),
        ("KOERS_REST_ENABLED", "ja", "rest_enabled", True),
        ("KOERS_REST_ENABLED", "ON", "rest_enabled", True),
        ("KOERS_WIDGET_DEMO_PAGE", "0", "widget_demo_page", False),
        (
            "KOERS_CORS_ORIGINS",
            " https://a.example, ,https://b.example ,",
            "cors_origins",
            ("https://a.example", "https://b.example"),
        ),
        (
            "KOERS_SMTP_FROM",
            "  Koers <koers@gemeente.example>  ",
            "smtp_from",
            "Koers <koers@gemeente.example>",
        ),
        (
            "KOERS_PUBLIC_BASE_URL",
            "https://koers.example/// ",
            "public_base_url",
            "https://koers.example",
        ),
        (
            "KOERS_WIDGET_SOCKET_URL",
            "wss://rasa.example/",
            "widget_socket_url",
            "wss://rasa.example",
        ),
        ("KOERS_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("KOERS_SMTP_SECURITY", "TLS", "smtp_security", "tls"),
        ("KOERS_DASHBOARD_SECURE_COOKIE", "True", "dashboard_secure_cookie", "true"),
        ("KOERS_SHEET_LINK_DAYS", "0", "sheet_link_days", 1),
        ("KOERS_SHEET_LINK_MAX_DAYS", "0", "sheet_link_max_days", 1),
        ("KOERS_DB_THREADS", "-4", "db_threads", 1),
        ("KOERS_DB_THREADS", "3", "db_threads", 3),
    ],
)
def test_values_are_read_like_before(env: str, raw: str, field: str, expected: object) -> None:
    assert getattr(settings_from({env: raw}), field) == expected


def _variables_of_type(kind: type) -> list[str]:
    return [env for _, env, default in OLD_DEFAULTS if type(default) is kind]


@pytest.mark.parametrize("env", _variables_of_type(int))
def test_a_bad_whole_number_names_the_variable(env: str) -> None:
    with pytest.raises(ValueError) as error:
        settings_from({env: " twee "})
    assert str(error.value) == f"{env} must be a whole number, got 'twee'"


@pytest.mark.parametrize("env", _variables_of_type(bool))
def test_a_bad_flag_names_the_variable(env: str) -> None:
    with pytest.raises(ValueError) as error:
        settings_from({env: "Misschien"})
    assert str(error.value) == f"{env} must be true or false, got 'misschien'"


def test_load_settings_parses_again_only_when_a_variable_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KOERS_WEB_PORT", raising=False)
    first = load_settings()
    assert load_settings() is first  # the same object: nothing was parsed again
    monkeypatch.setenv("NOT_KOERS_WEB_PORT", "1")
    monkeypatch.setenv("PATH", os.environ.get("PATH", "") + os.pathsep + "/nowhere")
    assert load_settings() is first

    monkeypatch.setenv("KOERS_WEB_PORT", "9123")
    changed = load_settings()
    assert changed is not first and changed.web_port == 9123
    assert load_settings() is changed

    monkeypatch.setenv("KOERS_WEB_PORT", "abc")
    with pytest.raises(ValueError, match="KOERS_WEB_PORT must be a whole number"):
        load_settings()
    monkeypatch.delenv("KOERS_WEB_PORT")
    assert load_settings() == first and load_settings().web_port == 8080


def _as_readme_shows(old: object) -> str:
    """A captured default as the README's default column starts: `value` or unset."""
    if old in ("", ()):
        return "unset"
    text = ("true" if old else "false") if isinstance(old, bool) else str(old)
    return f"`{text.replace(ROOT_MARK + '/', '')}`".replace("|", "\\|")


def _readme_tables() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in readme and README_END in readme, "README lost its settings markers"
    start = readme.index(README_BEGIN)
    return readme[start : readme.index(README_END) + len(README_END)] + "\n"


def test_readme_tables_match_the_declarations() -> None:
    readme = _readme_tables()
    rows = dict(re.findall(r"^\| `(KOERS_\w+)` \| (.*?) \| .* \|$", readme, re.MULTILINE))
    declared = {env for _, env, _ in OLD_DEFAULTS} | {other.env for other in OTHER_VARIABLES}
    assert sorted(rows) == sorted(declared)
    for name, env, old in OLD_DEFAULTS:  # every default as the README shows it
        assert rows[env].startswith(_as_readme_shows(old)), (name, rows[env])
    assert (
        readme == config.markdown_tables()
    ), "README's settings tables differ from bot/config.py: run python -m bot.config --write-docs"


def test_env_example_matches_the_declarations() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert (
        text == config.env_example()
    ), ".env.example differs from bot/config.py: run python -m bot.config --write-docs"
    assert all(line.startswith("#") or not line for line in text.splitlines())


def test_markdown_option_prints_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert config.main(["--markdown"]) == 0
    assert capsys.readouterr().out == config.markdown_tables()


# --- scripts/env.sh, sourced by real bash in a copy of the project ---------------------------


def _project_copy(tmp_path: Path) -> Path:
    """env.sh and bot/config.py in a fresh tree, so var/ and .env are the test's own."""
    root = tmp_path.resolve() / "koers"
    (root / "scripts").mkdir(parents=True)
    (root / "bot").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "env.sh", root / "scripts" / "env.sh")
    shutil.copy(PROJECT_ROOT / "bot" / "__init__.py", root / "bot" / "__init__.py")
    shutil.copy(PROJECT_ROOT / "bot" / "config.py", root / "bot" / "config.py")
    return root


def _source_env_sh(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Source env.sh under ``set -euo pipefail`` like the scripts do; print the KOERS_ vars."""
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(root),
    }
    script = '. scripts/env.sh; env -0 | grep -z "^KOERS_"'
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; {script}"],
        cwd=root,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _exported(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if item)


def _other_default(env: str) -> str:
    return next(other.default for other in OTHER_VARIABLES if other.env == env)


@pytest.mark.parametrize("with_venv", [True, False], ids=["venv", "fresh-clone"])
def test_env_sh_exports_the_python_defaults(tmp_path: Path, with_venv: bool) -> None:
    root = _project_copy(tmp_path)
    env = {"KOERS_VENV": sys.prefix} if with_venv else {}
    exported = _exported(_source_env_sh(root, **env))
    for item, setting in config._ENV_FIELDS:
        if setting.shell:
            default = item.default
            expected = str(default).replace(str(PROJECT_ROOT), str(root))
            assert exported[setting.env] == expected, setting.env
    assert exported["KOERS_TRACKER_DB_URL"] == f"sqlite:///{root}/var/tracker.db"
    assert exported["KOERS_ACTION_PORT"] == _other_default("KOERS_ACTION_PORT")
    assert exported["KOERS_ACTION_ENDPOINT_URL"] == _other_default("KOERS_ACTION_ENDPOINT_URL")
    assert exported["KOERS_MODEL"] == f"{root}/{_other_default('KOERS_MODEL')}"
    if not with_venv:
        assert exported["KOERS_VENV"] == f"{root}/{_other_default('KOERS_VENV')}"
    for name, file in (
        ("KOERS_IDENTITY_SECRET", "identity.secret"),
        ("KOERS_ACTION_SECRET", "action.secret"),
        ("KOERS_PSEUDONYM_SECRET", "pseudonym.secret"),
    ):
        assert len(exported[name]) >= 32 and (root / "var" / file).read_text() == exported[name]


def test_env_sh_keeps_values_from_the_environment_and_dot_env(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    (root / ".env").write_text("KOERS_WEB_PORT=9001\nKOERS_ACTION_PORT=6055\n")
    exported = _exported(
        _source_env_sh(
            root,
            KOERS_VENV=sys.prefix,
            KOERS_RASA_PORT="6005",
            KOERS_DATABASE_URL="sqlite:///with space/koers.db",
        )
    )
    assert exported["KOERS_WEB_PORT"] == "9001"
    assert exported["KOERS_RASA_PORT"] == "6005"
    assert exported["KOERS_DATABASE_URL"] == "sqlite:///with space/koers.db"
    assert exported["KOERS_ACTION_ENDPOINT_URL"] == "http://127.0.0.1:6055/webhook"


def test_env_sh_stops_on_a_bad_value(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    result = _source_env_sh(root, KOERS_VENV=sys.prefix, KOERS_RASA_PORT="vijf")
    assert result.returncode != 0
    assert "KOERS_RASA_PORT must be a whole number, got 'vijf'" in result.stderr


def test_env_sh_does_not_repeat_python_defaults() -> None:
    text = (PROJECT_ROOT / "scripts" / "env.sh").read_text(encoding="utf-8")
    repeated = [env for env in config.ENV_NAMES if re.search(rf"\${{{env}:-[^}}]", text)]
    assert repeated == []
    own_defaults = set(re.findall(r'export (KOERS_\w+)="\$\{\1:-', text))
    assert own_defaults <= {other.env for other in OTHER_VARIABLES}
