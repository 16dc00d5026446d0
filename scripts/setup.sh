#!/usr/bin/env bash
# Sets Koers up from nothing, and does only what changed on a second run:
# 1. a Python 3.10 virtualenv with the pinned packages (pyproject.toml + constraints.txt);
# 2. the Dutch spaCy pipeline nl_core_news_sm (local folder, else the official download);
# 3. the Rasa model, trained only when config, domain, training data or custom NLU code changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"

find_python() {
  local candidates=("${KOERS_PYTHON:-}" python3.10)
  for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin /usr/bin /usr/local/bin; do
    candidates+=("$dir/python3.10")
  done
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$PY" ]; then
  python310="$(find_python)" || {
    echo "Koers needs Python 3.10 (Rasa 3.6 does not run on 3.11). Set KOERS_PYTHON to its path." >&2
    exit 1
  }
  echo "==> Creating the virtualenv with $python310"
  "$python310" -m venv "$KOERS_VENV"
fi

install_stamp="$KOERS_VENV/.koers-install"
install_hash="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$install_stamp" 2>/dev/null)" != "$install_hash" ]; then
  echo "==> Installing Python packages (pinned in pyproject.toml and constraints.txt)"
  start=$(date +%s)
  # wheel pinned: newer wheels pull packaging>=24, which Rasa 3.6 refuses (packaging<21)
  "$PY" -m pip install --quiet --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.43.0" \
    "uv==${KOERS_UV_VERSION:-0.5.11}"
  if [ "${KOERS_INSTALLER:-uv}" = uv ]; then
    # uv installs the same pinned set as pip (same constraints, same versions) in parallel:
    # about 30 s instead of 6 minutes on a fresh clone (README, "Performance")
    "$KOERS_VENV/bin/uv" pip install --quiet --python "$PY" --compile-bytecode \
      -c constraints.txt -e ".[test]" \
      || { echo "uv could not install the packages: pip tries" >&2
           "$PY" -m pip install --quiet -c constraints.txt -e ".[test]"; }
  else
    "$PY" -m pip install --quiet -c constraints.txt -e ".[test]"
  fi
  echo "==> Installed in $(( $(date +%s) - start )) s"
  echo "$install_hash" > "$install_stamp"
fi

echo "==> Checking the Dutch spaCy pipeline"
"$PY" scripts/install_spacy_model.py

"$(dirname "${BASH_SOURCE[0]}")/train.sh"

# 4. Browser and web tools: Debian's Chromium (browser tests), nginx, and the npm packages
#    (chat-widget assets, axe-core). Nothing is fetched at run time.
missing_debs=()
command -v chromium >/dev/null 2>&1 || missing_debs+=(chromium chromium-driver)
# nginx for `make scale` and its tests (run as its own process, never as the system service)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing_debs+=(nginx)
if [ "${#missing_debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages: ${missing_debs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing_debs[@]}" >/dev/null \
      || { apt-get update -qq && apt-get install -y -qq "${missing_debs[@]}" >/dev/null; }
  else
    echo "note: install ${missing_debs[*]} (Debian packages) for the browser tests" >&2
  fi
fi

npm_stamp="node_modules/.koers-npm"
npm_hash="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_hash" ]; then
  echo "==> Installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_hash" > "$npm_stamp"
fi

widget_stamp="web/dist/.koers-build"
widget_hash="$(cat package-lock.json web/widget/build.mjs web/widget/src/* | sha256sum | cut -d' ' -f1)"
if [ ! -s web/dist/koers-widget.js ] || [ "$(cat "$widget_stamp" 2>/dev/null)" != "$widget_hash" ]; then
  echo "==> Building the chat widget (web/dist/)"
  npm run --silent build
  echo "$widget_hash" > "$widget_stamp"
fi
