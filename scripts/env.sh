# Shared environment for the Koers scripts: sourced, not run. Every variable can be
# overridden from the environment or from a .env file in the project root.
KOERS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KOERS_ROOT
if [ -f "$KOERS_ROOT/.env" ]; then
  set -a
  # shellcheck disable=SC1091
  . "$KOERS_ROOT/.env"
  set +a
fi
export KOERS_VENV="${KOERS_VENV:-$KOERS_ROOT/.venv}"
PY="$KOERS_VENV/bin/python"
RASA="$KOERS_VENV/bin/rasa"
export PYTHONPATH="$KOERS_ROOT${PYTHONPATH:+:$PYTHONPATH}"
# The settings that the scripts and Rasa's yml files need before any Koers process starts
# (ports, database URLs, the action server's interface) come from bot/config.py, where their
# defaults are written: `python -m bot.config --shell` prints them, and stops on a bad value.
# bot/config.py needs only the standard library (hence -S), so before setup.sh has made the
# virtualenv any Python >= 3.10 will do.
koers_settings_python="$PY"
if [ ! -x "$PY" ]; then
  koers_settings_python=""
  for koers_candidate in "${KOERS_PYTHON:-}" python3.10 python3; do
    if [ -n "$koers_candidate" ] \
      && "$koers_candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1
    then
      koers_settings_python="$koers_candidate"
      break
    fi
  done
fi
if [ -n "$koers_settings_python" ]; then
  koers_exports="$("$koers_settings_python" -S -m bot.config --shell)" || return 1
  eval "$koers_exports"
else
  echo "scripts/env.sh: no Python 3.10 yet; Koers' settings come later, from Python" >&2
fi
unset koers_candidate koers_settings_python koers_exports
# Read only by the scripts and by Rasa (endpoints.yml), so their defaults live here; the README
# lists them (bot/config.py, OTHER_VARIABLES; tests/test_config.py compares both).
export KOERS_ACTION_PORT="${KOERS_ACTION_PORT:-5055}"
export KOERS_ACTION_ENDPOINT_URL="${KOERS_ACTION_ENDPOINT_URL:-http://127.0.0.1:${KOERS_ACTION_PORT}/webhook}"
export KOERS_MODEL="${KOERS_MODEL:-$KOERS_ROOT/models/koers.tar.gz}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-0}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$KOERS_ROOT/var"
# Pseudonyms must stay the same across restarts: without a configured secret, a random local
# one is kept in var/pseudonym.secret (fine for one machine; production sets the variable).
if [ -z "${KOERS_PSEUDONYM_SECRET:-}" ]; then
  secret_file="$KOERS_ROOT/var/pseudonym.secret"
  if [ ! -s "$secret_file" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$secret_file")
  fi
  KOERS_PSEUDONYM_SECRET="$(cat "$secret_file")"
  export KOERS_PSEUDONYM_SECRET
fi
# The demo intranet page (make run) needs a widget token: without configured keys, a local
# HS256 secret for the demo municipality GM9901 is kept in var/widget-demo.secret.
if [ -z "${KOERS_WIDGET_JWT_SECRETS:-}" ] && [ -z "${KOERS_WIDGET_JWT_PUBLIC_KEYS:-}" ]; then
  widget_secret_file="$KOERS_ROOT/var/widget-demo.secret"
  if [ ! -s "$widget_secret_file" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$widget_secret_file")
  fi
  KOERS_WIDGET_JWT_SECRETS="GM9901=$(cat "$widget_secret_file")"
  export KOERS_WIDGET_JWT_SECRETS
fi
# The Rasa server signs identity claims and calls the action server with a header secret; both
# processes need the same values. Without configured ones, local random ones in var/.
koers_local_secret() {  # NAME FILE: export NAME from FILE, creating FILE when empty
  local file="$KOERS_ROOT/var/$2"
  if [ ! -s "$file" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$file")
  fi
  export "$1=$(cat "$file")"
}
[ -n "${KOERS_IDENTITY_SECRET:-}" ] || koers_local_secret KOERS_IDENTITY_SECRET identity.secret
[ -n "${KOERS_ACTION_SECRET:-}" ] || koers_local_secret KOERS_ACTION_SECRET action.secret
# Rasa's dependencies print pages of deprecation warnings on every command: hide them there.
rasa_quietly() { PYTHONWARNINGS=ignore "$RASA" "$@"; }
