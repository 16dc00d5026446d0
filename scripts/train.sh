#!/usr/bin/env bash
# Trains the Rasa model when config, domain, training data or custom NLU code changed.
# Set KOERS_FORCE_TRAIN=1 to train anyway.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"

train_hash="$(
  {
    cat config.yml domain.yml
    find data bot/rasa_ext/nlu.py bot/conversation/normalise.py -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort | xargs cat
    "$PY" -c 'import nl_core_news_sm, rasa; print(nl_core_news_sm.__version__, rasa.__version__)' 2>/dev/null
  } | sha256sum | cut -d' ' -f1
)"
stamp="$KOERS_ROOT/models/.koers-train"
if [ -f "$KOERS_MODEL" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$train_hash" ] && [ -z "${KOERS_FORCE_TRAIN:-}" ]; then
  echo "==> The model is up to date ($KOERS_MODEL)"
  exit 0
fi
echo "==> Training the Rasa model (a few minutes)"
mkdir -p "$(dirname "$KOERS_MODEL")"
start=$(date +%s)
rasa_quietly train --config config.yml --domain domain.yml --data data \
  --out "$(dirname "$KOERS_MODEL")" --fixed-model-name "$(basename "$KOERS_MODEL" .tar.gz)" \
  --quiet
echo "$train_hash" > "$stamp"
echo "==> Trained in $(( $(date +%s) - start )) s: $KOERS_MODEL"
