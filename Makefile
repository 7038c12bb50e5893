# The two commands: `make run` (the app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)

.PHONY: run test test-sqlite test-postgres install lint format clean bench

$(STAMP): pyproject.toml
	bash scripts/system-packages.sh run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	bash scripts/run-dev.sh

test: install
	bash scripts/system-packages.sh test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	bash scripts/test.sh all

test-sqlite: install
	bash scripts/test.sh sqlite

test-postgres: install
	bash scripts/test.sh postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results

# The benchmark of DESIGN.md 6 (bench/run.py): 5,000 and 50,000 companies on SQLite and
# PostgreSQL; writes docs/benchmarks.md. `make bench BENCH_ARGS="--scales base --databases sqlite"`.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
