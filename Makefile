# Koers: the two quick-start commands are `make run` and `make test`.
.PHONY: run test shell setup train nlu-report lint clean

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

lint:
	.venv/bin/ruff check .

clean:
	rm -rf models results reports var build
