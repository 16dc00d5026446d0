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
export KOERS_RASA_PORT="${KOERS_RASA_PORT:-5005}"
export KOERS_ACTION_PORT="${KOERS_ACTION_PORT:-5055}"
export KOERS_WEB_PORT="${KOERS_WEB_PORT:-8080}"
export KOERS_ACTION_ENDPOINT_URL="${KOERS_ACTION_ENDPOINT_URL:-http://127.0.0.1:${KOERS_ACTION_PORT}/webhook}"
export KOERS_TRACKER_DB_URL="${KOERS_TRACKER_DB_URL:-sqlite:///$KOERS_ROOT/var/tracker.db}"
export KOERS_DATABASE_URL="${KOERS_DATABASE_URL:-sqlite:///$KOERS_ROOT/var/koers.db}"
export KOERS_MODEL="${KOERS_MODEL:-$KOERS_ROOT/models/koers.tar.gz}"
export PYTHONPATH="$KOERS_ROOT${PYTHONPATH:+:$PYTHONPATH}"
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
export KOERS_ACTION_HOST="${KOERS_ACTION_HOST:-127.0.0.1}"
PY="$KOERS_VENV/bin/python"
RASA="$KOERS_VENV/bin/rasa"
# Rasa's dependencies print pages of deprecation warnings on every command: hide them there.
rasa_quietly() { PYTHONWARNINGS=ignore "$RASA" "$@"; }
