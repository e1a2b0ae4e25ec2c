# TU-tracker — the README's commands. A fresh machine needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUM    := $(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
# Two stamps: `make run` installs only what the service needs; test, lint and bench add the test extras.
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(SUM)
STAMP  := $(VENV)/.installed-test-$(SUM)

.PHONY: run test lint bench install clean

$(RUNTIME_STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-runtime-*
	touch $@

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-test-*
	touch $@

install: $(STAMP)

## Fresh machine → service on http://127.0.0.1:8000 (SQLite under instance/, migrated, seeded, scheduler running).
run: $(RUNTIME_STAMP)
	$(BIN)/tracker db upgrade
	$(BIN)/tracker seed
	$(BIN)/tracker run

## Fresh machine → the whole suite (SQLite; PostgreSQL too when TRACKER_TEST_DATABASE_URL names one).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.db .mypy_cache .ruff_cache
