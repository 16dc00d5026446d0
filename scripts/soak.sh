#!/usr/bin/env bash
# Soak test (README "Performance"): the make-run processes on loopback and SQLite under steady
# scripted load for KOERS_SOAK_MINUTES (default 20); prints RSS of every process at the start
# and the end, errors and p95 per KOERS_SOAK_WINDOW_MINUTES (5). Report: reports/soak/soak.json.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"
PYTHONWARNINGS=ignore exec "$PY" -m tools.bench.soak
