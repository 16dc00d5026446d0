#!/usr/bin/env bash
# Benchmark (README "Performance"): Koers and a bare Rasa bot under the same load; writes
# reports/bench/bench.{md,json,png} and prints the figures. KOERS_BENCH_QUICK=1: smoke run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"
PYTHONWARNINGS=ignore exec "$PY" -m tools.bench.run
