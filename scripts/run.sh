#!/usr/bin/env bash
# Sets Koers up (see setup.sh) and runs it on embedded SQLite:
#   Rasa server (REST + socketio) on :KOERS_RASA_PORT (5005), action server on
#   KOERS_ACTION_HOST:KOERS_ACTION_PORT (127.0.0.1:5055; every call needs KOERS_ACTION_SECRET),
#   web app on :KOERS_WEB_PORT (8080), outbox sender for coach e-mail. Ctrl-C stops all four.
# On a fresh database it loads the fictional demo data (municipalities, coaches, workshops).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"

echo "==> Preparing the application database ($KOERS_DATABASE_URL)"
"$PY" -m bot.ledger.cli init
"$PY" -m bot.trends.cli demo   # fictional trend data + demo dashboard log-ins (printed)

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "==> Starting the action server on $KOERS_ACTION_HOST:$KOERS_ACTION_PORT (header secret required)"
"$PY" -m actions.server --actions actions --port "$KOERS_ACTION_PORT" &
pids+=($!)
echo "==> Starting the outbox sender (coach e-mail after each booking; SMTP: KOERS_SMTP_HOST)"
"$PY" -m bot.notify.sender &
pids+=($!)
echo "==> Starting the web app on :$KOERS_WEB_PORT"
echo "    Demo intranet with the chat widget: http://localhost:$KOERS_WEB_PORT/"
echo "    Coordinator dashboard: http://localhost:$KOERS_WEB_PORT/dashboard/"
"$PY" -m bot.web &
pids+=($!)

api_args=()
if [ -n "${KOERS_RASA_AUTH_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$KOERS_RASA_AUTH_TOKEN")
fi
# CORS only for configured origins (KOERS_CORS_ORIGINS, comma-separated), never a wildcard
cors_args=()
if [ -n "${KOERS_CORS_ORIGINS:-}" ]; then
  IFS=',' read -r -a cors_origins <<< "$KOERS_CORS_ORIGINS"
  cors_args=(--cors "${cors_origins[@]}")
fi
# the REST channel is a developer channel: on for `make run`, off unless set elsewhere
export KOERS_REST_ENABLED="${KOERS_REST_ENABLED:-true}"
echo "==> Starting the Rasa server on :$KOERS_RASA_PORT (REST: POST /webhooks/rest/webhook)"
# through Koers's entry point: it installs the patches of Rasa internals, then runs `rasa run`
"$PY" -m bot.rasa_ext.server run --model "$KOERS_MODEL" --port "$KOERS_RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "${cors_args[@]}" "${api_args[@]}" &
pids+=($!)
wait -n "${pids[@]}"
