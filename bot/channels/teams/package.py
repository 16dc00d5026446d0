"""Build the Teams app package.

    python -m bot.channels.teams.package --app-id <GUID> --out dist/koers-teams.zip

The zip holds ``manifest.json`` (Teams app manifest schema 1.16, a bot for the personal scope),
``color.png`` (192×192) and ``outline.png`` (32×32). Upload it in Teams (Apps → Manage your
apps → Upload an app) or in the Teams admin centre. The same inputs give the same bytes.

Developer details come from the arguments or the environment: ``KOERS_TEAMS_DEVELOPER_NAME``,
``KOERS_TEAMS_WEBSITE_URL``, ``KOERS_TEAMS_PRIVACY_URL``, ``KOERS_TEAMS_TERMS_URL`` (all https;
the last three default to ``KOERS_PUBLIC_BASE_URL``, ``…/privacy`` and ``…/voorwaarden``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.channels.teams import icons, texts

MANIFEST_VERSION = "1.16"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json"
)
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER_RE = re.compile(r"^\d{1,9}\.\d{1,9}\.\d{1,9}$")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
LIMITS = {
    "name.short": 30,
    "name.full": 100,
    "description.short": 80,
    "description.full": 4000,
    "developer.name": 32,
}


class PackageError(ValueError):
    """The inputs cannot make a valid Teams app package."""


def _https(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise PackageError(f"{name} must be an https:// address, got {url!r}")
    return url


def build_manifest(
    app_id: str,
    *,
    developer_name: str,
    website_url: str,
    privacy_url: str,
    terms_url: str,
    version: str = "1.0.0",
    teams_app_id: str | None = None,
) -> dict[str, Any]:
    """The manifest as a dict; raises PackageError on anything Teams would refuse."""
    teams_app_id = teams_app_id or app_id
    for name, value in (("app id", app_id), ("Teams app id", teams_app_id)):
        if not GUID_RE.match(value or ""):
            raise PackageError(f"{name} must be a GUID (Azure 'Application (client) ID')")
    if not SEMVER_RE.match(version):
        raise PackageError(f"version must look like 1.0.0, got {version!r}")
    manifest: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": teams_app_id.lower(),
        "localizationInfo": {"defaultLanguageTag": "nl-nl"},
        "developer": {
            "name": developer_name,
            "websiteUrl": _https("website URL", website_url),
            "privacyUrl": _https("privacy URL", privacy_url),
            "termsOfUseUrl": _https("terms of use URL", terms_url),
        },
        "name": {"short": texts.APP_SHORT_NAME, "full": texts.APP_FULL_NAME},
        "description": {
            "short": texts.APP_SHORT_DESCRIPTION,
            "full": texts.APP_FULL_DESCRIPTION,
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*icons.ACCENT),
        "bots": [
            {
                "botId": app_id.lower(),
                "scopes": ["personal"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description in texts.COMMANDS
                        ],
                    }
                ],
            }
        ],
        "validDomains": [],
    }
    for path, limit in LIMITS.items():
        group, key = path.split(".")
        value = manifest[group][key]
        if not value or len(value) > limit:
            raise PackageError(f"{path} must be 1 to {limit} characters")
    return manifest


def build_package(manifest: dict[str, Any]) -> bytes:
    """The zip (manifest + icons at the top level, fixed dates: reproducible)."""
    files = {
        "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
        "color.png": icons.color_icon(),
        "outline.png": icons.outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ
    base = env.get("KOERS_PUBLIC_BASE_URL", "").strip().rstrip("/")
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.teams.package",
        description="Build the Koers Teams app package.",
    )
    parser.add_argument(
        "--app-id",
        default=env.get("KOERS_TEAMS_APP_ID", ""),
        help="the bot's Microsoft App ID (default: KOERS_TEAMS_APP_ID)",
    )
    parser.add_argument(
        "--teams-app-id", default=None, help="the Teams app id (default: the same as --app-id)"
    )
    parser.add_argument("--out", default="dist/koers-teams.zip", type=Path)
    parser.add_argument("--version", default="1.0.0", help="app version, raise it per upload")
    parser.add_argument("--developer-name", default=env.get("KOERS_TEAMS_DEVELOPER_NAME", "Koers"))
    parser.add_argument("--website-url", default=env.get("KOERS_TEAMS_WEBSITE_URL", base))
    parser.add_argument(
        "--privacy-url",
        default=env.get("KOERS_TEAMS_PRIVACY_URL", f"{base}/privacy" if base else ""),
    )
    parser.add_argument(
        "--terms-url",
        default=env.get("KOERS_TEAMS_TERMS_URL", f"{base}/voorwaarden" if base else ""),
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        manifest = build_manifest(
            args.app_id.strip(),
            developer_name=args.developer_name,
            website_url=args.website_url,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
            version=args.version,
            teams_app_id=args.teams_app_id,
        )
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(build_package(manifest))
    print(f"Teams app package written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
