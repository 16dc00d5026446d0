"""The Teams app package: a valid 1.16 manifest for a personal bot, and the right icons."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.channels.teams.package import GUID_RE, PackageError, build_manifest, build_package, main
from tests.channels.teams.fake_botframework import APP_ID

ROOT = Path(__file__).resolve().parents[3]
URLS = {
    "website_url": "https://koers.example.nl",
    "privacy_url": "https://koers.example.nl/privacy",
    "terms_url": "https://koers.example.nl/voorwaarden",
}
ARGS = [
    "--app-id",
    APP_ID,
    "--website-url",
    URLS["website_url"],
    "--privacy-url",
    URLS["privacy_url"],
    "--terms-url",
    URLS["terms_url"],
]


def _open(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_command_builds_a_valid_package(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "koers-teams.zip"
    result = subprocess.run(
        [sys.executable, "-m", "bot.channels.teams.package", *ARGS, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    files = _open(out.read_bytes())
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]

    manifest = json.loads(files["manifest.json"])
    assert manifest["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    assert manifest["manifestVersion"] == "1.16"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert GUID_RE.match(manifest["id"])
    assert manifest["developer"] == {
        "name": "Koers",
        "websiteUrl": URLS["website_url"],
        "privacyUrl": URLS["privacy_url"],
        "termsOfUseUrl": URLS["terms_url"],
    }
    assert manifest["name"]["short"] == "Koers" and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert "anoniem" in manifest["description"]["full"]
    assert manifest["localizationInfo"] == {"defaultLanguageTag": "nl-nl"}
    assert re.fullmatch(r"#[0-9A-F]{6}", manifest["accentColor"])
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal"]
    for command in bot["commandLists"][0]["commands"]:
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}

    color = Image.open(io.BytesIO(files["color.png"]))
    assert (color.format, color.size, color.mode) == ("PNG", (192, 192), "RGBA")
    assert color.getpixel((2, 2))[3] == 255  # full colour, opaque
    outline = Image.open(io.BytesIO(files["outline.png"]))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    pixels = list(outline.getdata())
    # Teams: the outline icon is white on a transparent background
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3])
    assert pixels[0][3] == 0 and any(p[3] == 255 for p in pixels)


def test_package_is_reproducible() -> None:
    manifest = build_manifest(APP_ID, developer_name="Koers", **URLS)
    assert build_package(manifest) == build_package(manifest)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"app_id": "not-a-guid"}, "GUID"),
        ({"website_url": "http://koers.example.nl"}, "https"),
        ({"privacy_url": ""}, "https"),
        ({"version": "1.0"}, "version"),
        ({"developer_name": "x" * 33}, "developer.name"),
    ],
)
def test_invalid_inputs_are_refused(change: dict, message: str) -> None:
    values = {"app_id": APP_ID, "developer_name": "Koers", **URLS, **change}
    app_id = values.pop("app_id")
    with pytest.raises(PackageError, match=message):
        build_manifest(app_id, **values)


def test_command_explains_missing_https_addresses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("KOERS_PUBLIC_BASE_URL", "http://localhost:8080")
    monkeypatch.delenv("KOERS_TEAMS_WEBSITE_URL", raising=False)
    assert main(["--app-id", APP_ID, "--out", str(tmp_path / "x.zip")]) == 2
    assert "https" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
