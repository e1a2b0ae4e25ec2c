# TU-tracker — the README's commands. A fresh machine needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUM    := $(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
# Two stamps: `make run` installs only what the service needs; test, lint and bench add the test extras.
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(SUM)
STAMP  := $(VENV)/.installed-test-$(SUM)

.PHONY: run test lint bench mutants install clean vendor-dkfds

## axe-core (pinned in package-lock.json) for the browser suite's accessibility checks; needs npm.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser suite's axe checks will skip (or fail with TRACKER_REQUIRE_BROWSER=1)" >&2; fi

## Det Fælles Designsystem, pinned in package.json/package-lock.json, copied into the repository (CSS, the fonts
## and icons it references, its script, licence and VENDORED.json), so `make run` needs no npm. Run after a bump.
DKFDS_DIR := tracker/web/static/vendor/dkfds
vendor-dkfds:
	npm ci --no-audit --no-fund --silent
	$(PYTHON) tracker/web/vendor.py node_modules/dkfds $(DKFDS_DIR)

# Installs say one line; pip's own output goes to $(VENV)/install.log (shown when it fails), so the first run's
# one-time admin password is not buried under it.
INSTALL_LOG := $(VENV)/install.log
$(RUNTIME_STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the service into $(VENV) (log: $(INSTALL_LOG))"
	@{ $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e . ; } > $(INSTALL_LOG) 2>&1 \
		|| { tail -n 40 $(INSTALL_LOG); exit 1; }
	@rm -f $(VENV)/.installed-runtime-*
	@touch $@

$(STAMP): $(RUNTIME_STAMP)
	@echo "installing the test extras (log: $(INSTALL_LOG))"
	@$(BIN)/pip install --quiet -e '.[test]' >> $(INSTALL_LOG) 2>&1 || { tail -n 40 $(INSTALL_LOG); exit 1; }
	@rm -f $(VENV)/.installed-test-*
	@touch $@

install: $(STAMP)

## Fresh machine → service on http://127.0.0.1:8000 (SQLite under instance/, migrated, seeded, scheduler running).
run: $(RUNTIME_STAMP)
	@$(BIN)/tracker db upgrade
	@$(BIN)/tracker seed
	@$(BIN)/tracker run $(RUN_ARGS)

## Fresh machine → the whole suite (SQLite; PostgreSQL too when TRACKER_TEST_DATABASE_URL names one).
## Under libfaketime (`faketime '…' make test`) the suite's processes keep the faked clock running on from one
## instant (DONT_RESET); without libfaketime the variable means nothing.
test: export FAKETIME_DONT_RESET := 1
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.run $(BENCH_ARGS)

## Mutation testing, not part of `make test` or CI: each hand-written mutant (tests/mutants/catalogue.py) applied
## alone in a temporary copy, its tests run with -x; prints killed/survived/stale and the score.
mutants: $(STAMP)
	$(BIN)/python -m tests.mutants.run $(MUTANTS_ARGS)

clean:
	rm -rf $(VENV) instance/*.db .mypy_cache .ruff_cache node_modules
