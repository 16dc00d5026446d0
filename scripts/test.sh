#!/usr/bin/env bash
# Sets Koers up (see setup.sh) and runs every check: lint, Rasa data validation, the Dutch
# test stories against the trained model, and the pytest suite (unit, action, database,
# and conversation tests against a running Rasa server + action server).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
test_started=$(date +%s)
since_start() { echo "    ($(( $(date +%s) - test_started )) s since the start)"; }
trap 'since_start' EXIT
"$KOERS_ROOT/scripts/setup.sh"
since_start

echo "==> lint: ruff check, ruff format --check, mypy"
"$KOERS_ROOT/scripts/lint.sh"

since_start
echo "==> rasa data validate --fail-on-warnings"
rasa_quietly data validate --fail-on-warnings --config config.yml --domain domain.yml --data data --quiet

since_start
echo "==> rasa test (Dutch test stories, --fail-on-prediction-errors)"
rm -rf results/stories
# through Koers's entry point, so the model is loaded as the Rasa server loads it
PYTHONWARNINGS=ignore "$PY" -m bot.rasa_ext.server test core --model "$KOERS_MODEL" \
  --stories tests/stories --out results/stories \
  --endpoints endpoints.yml --fail-on-prediction-errors --quiet

if [ "$#" -gt 0 ]; then
  "$PY" -m pytest "$@"
else
  since_start
  echo "==> pytest"
  # the slowest tests are printed at the end: the test command's time is a target (README)
  # on both cores (pytest-xdist): each worker starts its own Rasa and action server when it gets
  # a conversation test; files with costly shared fixtures stay on one worker (tests/conftest.py)
  "$PY" -m pytest --ignore=tests/browser --durations=25 \
    --numprocesses "${KOERS_TEST_WORKERS:-2}" --dist loadgroup
  # Playwright's sync API owns an event loop: the browser tests get their own pytest process.
  since_start
  echo "==> pytest: browser tests in headless Chromium (screenshots in tests/artefacts/)"
  "$PY" -m pytest tests/browser --durations=10
fi
