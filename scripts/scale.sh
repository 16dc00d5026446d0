#!/usr/bin/env bash
# Koers scaled out on this machine (README "Scaling out"): 2 Rasa servers (KOERS_SCALE_INSTANCES)
# and the action server on PostgreSQL (tracker store + application data) with Redis as lock
# store, behind nginx on KOERS_SCALE_PORT (default: a free port, printed). Without
# KOERS_TRACKER_DB_URL/KOERS_DATABASE_URL pointing at PostgreSQL and without KOERS_REDIS_HOST,
# it starts its own throwaway PostgreSQL and Redis. Ctrl-C stops everything.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"
# env.sh defaults the databases to SQLite; the scaled set-up needs PostgreSQL.
case "$KOERS_TRACKER_DB_URL" in postgresql*) ;; *) unset KOERS_TRACKER_DB_URL ;; esac
case "$KOERS_DATABASE_URL" in postgresql*) ;; *) unset KOERS_DATABASE_URL ;; esac
PYTHONWARNINGS=ignore exec "$PY" -m tools.scale
