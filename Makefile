# Quick start: `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test quick bench lint docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/overleg demo --out uit

# Everything; CI runs this (with CI=true: the `ci` hypothesis profile, see tests/conftest.py).
test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# The inner loop: every test not marked slow (subprocesses, terminals, big property runs).
quick: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python docs/gen_cli.py --check

# docs/cli.md from the real --help of every command.
docs: $(STAMP)
	$(BIN)/python docs/gen_cli.py

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) uit build dist
