# The two commands: `make run` (the app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)

.PHONY: run test test-sqlite test-postgres install lint format clean bench translations messages

$(STAMP): pyproject.toml
	bash scripts/system-packages.sh run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install translations
	bash scripts/run-dev.sh

test: install translations
	bash scripts/system-packages.sh test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	bash scripts/test.sh all

test-sqlite: install translations
	bash scripts/test.sh sqlite

test-postgres: install translations
	bash scripts/test.sh postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results

# Languages (README, "Languages"). The compiled .mo files are not committed: `make run` and
# `make test` build them (a bare `pytest` too, in tests/conftest.py).
translations: install
	$(BIN)/pybabel compile --directory tracker/translations

# Extract every marked string into the template, messages.pot; it never touches the .po files.
# The translators then merge it: $(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations
messages: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --keywords lazy_gettext \
		--keywords ngettext:1,2 --keywords lazy_ngettext:1,2 --no-location --sort-output \
		--project "Cluster tracker" \
		--output-file tracker/translations/messages.pot .

# The benchmark of DESIGN.md 6 (bench/run.py): 5,000 and 50,000 companies on SQLite and
# PostgreSQL; writes docs/benchmarks.md. `make bench BENCH_ARGS="--scales base --databases sqlite"`.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
