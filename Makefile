# Two commands on a fresh machine: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
# `make check` is the gate CI runs (.ci/run): the lint steps and the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run install clerk-path test check lint ruff format-check typecheck imports bench bench-county clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "clerk needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# compiled once at install: a read-only or PYTHONDONTWRITEBYTECODE start does not compile
	$(BIN)/python -m compileall -q clerk
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/clerk

# Only install (.venv/bin/clerk); `make -s clerk-path` prints the folder to put on the PATH.
install: $(STAMP)

clerk-path: $(STAMP)
	@cd $(BIN) && pwd

# Every test, on every core (pytest-xdist; the options are in pyproject.toml's addopts).
# PYTEST_ARGS adds options, e.g. `make test PYTEST_ARGS="-n 0 -x"` to run serially.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

ruff: $(STAMP)
	$(BIN)/ruff check clerk tests bench

format-check: $(STAMP)
	$(BIN)/ruff format --check clerk tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

lint: ruff format-check typecheck imports

# Every step runs even when an earlier one fails (-k), so one run shows every problem; the gate
# fails if any step failed.
check: $(STAMP)
	@$(MAKE) --no-print-directory -k ruff format-check typecheck imports test

# Both sizes: 2,000 cases and the 1,000,000-case county fixture (built once, ~15 min, then reused
# from ~/.cache/clerk-bench); writes bench/results.json. See bench/README.md.
bench: $(STAMP)
	nice -n 10 $(BIN)/python -m bench --county --results bench/results.json

# Build (or find in the cache) the county fixture only.
bench-county: $(STAMP)
	nice -n 10 $(BIN)/python -m bench --county --fixture-only

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
