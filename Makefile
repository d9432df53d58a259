# Two commands on a fresh machine: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint bench bench-county clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "clerk needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/clerk

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check clerk tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

check: lint test

# Both sizes: 2,000 cases and the 1,000,000-case county fixture (built once, ~15 min, then reused
# from ~/.cache/clerk-bench); writes bench/results.json. See bench/README.md.
bench: $(STAMP)
	nice -n 10 $(BIN)/python -m bench --county --results bench/results.json

# Build (or find in the cache) the county fixture only.
bench-county: $(STAMP)
	nice -n 10 $(BIN)/python -m bench --county --fixture-only

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
