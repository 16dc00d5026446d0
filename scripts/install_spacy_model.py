"""Install the Dutch spaCy pipeline ``nl_core_news_sm`` into the running interpreter.

Order of preference:
1. already importable at the wanted version -> nothing to do;
2. a local pipeline directory (``KOERS_SPACY_MODEL_DIR``, default
   ``../shared/models/nl_core_news_sm`` next to the project) -> packaged with spaCy's Python API
   and pip-installed;
3. the official release from spaCy's download (needs internet).

spaCy's own CLI is avoided on purpose: with the click/typer versions Rasa pulls in, it
misparses options.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = PROJECT_ROOT.parent / "shared" / "models" / "nl_core_news_sm"
OFFICIAL_RELEASE = "nl_core_news_sm-3.4.0"
PACKAGE = "nl_core_news_sm"


def installed_version() -> str | None:
    if importlib.util.find_spec(PACKAGE) is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return None


def model_dir() -> Path | None:
    configured = os.environ.get("KOERS_SPACY_MODEL_DIR")
    candidate = Path(configured) if configured else DEFAULT_MODEL_DIR
    return candidate if (candidate / "meta.json").is_file() else None


def install_from_dir(source: Path) -> None:
    from spacy.cli.package import package

    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    version = meta["version"]
    build_dir = PROJECT_ROOT / "build" / "spacy_pkg"
    build_dir.mkdir(parents=True, exist_ok=True)
    package(
        source,
        build_dir,
        meta_path=None,
        code_paths=[],
        name=meta["name"],
        version=version,
        create_meta=False,
        create_sdist=True,
        create_wheel=False,
        force=True,
        silent=True,
    )
    sdist = build_dir / f"{PACKAGE}-{version}" / "dist" / f"{PACKAGE}-{version}.tar.gz"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
            str(sdist),
        ],
        check=True,
    )


def main() -> int:
    source = model_dir()
    wanted = None
    if source is not None:
        wanted = json.loads((source / "meta.json").read_text(encoding="utf-8"))["version"]
    current = installed_version()
    if current is not None and (wanted is None or current == wanted):
        print(f"spaCy model {PACKAGE} {current} is installed.")
        return 0
    if source is not None:
        print(f"Installing {PACKAGE} {wanted} from {source} ...")
        install_from_dir(source)
    else:
        print(f"No local model directory; downloading the official {OFFICIAL_RELEASE} ...")
        from spacy.cli.download import download

        download(OFFICIAL_RELEASE, direct=True)
    print(f"spaCy model {PACKAGE} {installed_version()} is installed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
