#!/usr/bin/env bash
# NLU quality report: 3-fold cross-validation on the training data, and the trained model on
# the held-out Dutch test set (tests/data/nlu_holdout.yml). Writes per-intent reports and
# confusion matrices to reports/nlu-cv and reports/nlu-holdout, and prints macro-F1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KOERS_ROOT"
"$KOERS_ROOT/scripts/setup.sh"
rm -rf reports/nlu-cv reports/nlu-holdout
rasa_quietly test nlu --nlu data --config config.yml --cross-validation --folds "${KOERS_CV_FOLDS:-3}" \
  --out reports/nlu-cv --quiet
# the trained model, loaded as the Rasa server loads it (Koers's entry point, bot/rasa_ext/server.py)
PYTHONWARNINGS=ignore "$PY" -m bot.rasa_ext.server test nlu --nlu tests/data/nlu_holdout.yml \
  --model "$KOERS_MODEL" --out reports/nlu-holdout --quiet
"$PY" - <<'PY'
import json
for name, path in (("cross-validation", "reports/nlu-cv/intent_report.json"),
                   ("held-out set", "reports/nlu-holdout/intent_report.json")):
    report = json.load(open(path))
    print(f"{name}: intent macro-F1 {report['macro avg']['f1-score']:.3f}, "
          f"accuracy {report.get('accuracy', float('nan')):.3f}")
    weak = sorted((v["f1-score"], k) for k, v in report.items()
                  if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg"))[:5]
    print("  weakest intents:", ", ".join(f"{k} {f:.2f}" for f, k in weak))
PY
