#!/usr/bin/env bash
# Sets Koers up (see setup.sh) and runs every check: lint, Rasa data validation, the Dutch
# test stories against the trained model, and the pytest suite (unit, action, database,
# and conversation tests against a running Rasa server + action server).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"

echo "==> ruff"
"$KOERS_VENV/bin/ruff" check .

echo "==> rasa data validate --fail-on-warnings"
rasa_quietly data validate --fail-on-warnings --config config.yml --domain domain.yml --data data --quiet

echo "==> rasa test (Dutch test stories, --fail-on-prediction-errors)"
rm -rf results/stories
rasa_quietly test core --model "$KOERS_MODEL" --stories tests/stories --out results/stories \
  --endpoints endpoints.yml --fail-on-prediction-errors --quiet

echo "==> pytest"
"$PY" -m pytest "$@"
