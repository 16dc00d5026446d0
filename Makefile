# Koers: the two quick-start commands are `make run` and `make test`.
.PHONY: run test shell setup train nlu-report lint clean scale bench soak teams-package conversations

run:        ## set up (venv, packages, spaCy model, training if needed) and run Koers
	./scripts/run.sh

test:       ## set up and run every test (what CI runs)
	./scripts/test.sh

shell:      ## chat with Koers in the terminal
	./scripts/shell.sh

setup:      ## only set up: venv, packages, spaCy model, model training if needed
	./scripts/setup.sh

train:      ## retrain the model now
	KOERS_FORCE_TRAIN=1 ./scripts/train.sh

nlu-report: ## cross-validation + held-out test set: per-intent report and confusion matrix
	./scripts/nlu_report.sh

scale:      ## 2 Rasa servers + action server on PostgreSQL and Redis, behind nginx
	./scripts/scale.sh

bench:      ## benchmark against a bare Rasa bot; report in reports/bench/ (KOERS_BENCH_QUICK=1: smoke)
	./scripts/bench.sh

soak:       ## long run on make-run servers: RSS of every process, errors, p95 per 5 min (KOERS_SOAK_MINUTES=20)
	./scripts/soak.sh

teams-package: ## the Teams app package dist/koers-teams.zip (needs KOERS_TEAMS_APP_ID, https URLs)
	bash -c '. scripts/env.sh && "$$KOERS_VENV/bin/python" -m bot.channels.teams.package --out dist/koers-teams.zip'

conversations: ## print every tests/conversation/scripts file as a transcript (needs `make run` in another terminal)
	bash -c '. scripts/env.sh && "$$KOERS_VENV/bin/python" -m tools.conversations print --all tests/conversation/scripts $${KOERS_RASA_AUTH_TOKEN:+--token "$$KOERS_RASA_AUTH_TOKEN"}'

lint:       ## ruff check, ruff format --check, mypy on bot/ and actions/
	./scripts/lint.sh

clean:
	rm -rf models results reports var build
