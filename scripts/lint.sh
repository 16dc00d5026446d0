#!/usr/bin/env bash
# Lint, format and type checks (make lint; also the first step of make test / CI).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_VENV/bin/ruff" check .
"$KOERS_VENV/bin/ruff" format --check .
"$KOERS_VENV/bin/mypy"   # files and options: [tool.mypy] in pyproject.toml
