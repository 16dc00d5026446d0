#!/usr/bin/env bash
# Chat with Koers in the terminal (like `rasa shell`), with the action server running.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"

"$PY" -m actions.server --actions actions --port "$KOERS_ACTION_PORT" >"$KOERS_ROOT/var/actions-shell.log" 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$KOERS_ACTION_PORT/health', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 1
done
# `rasa shell` through Koers's entry point, with the patches of Rasa internals (action timeout,
# Dutch fallback, speed-ups; bot/rasa_ext/server.py)
"$PY" -m bot.rasa_ext.server shell --model "$KOERS_MODEL" --endpoints endpoints.yml
