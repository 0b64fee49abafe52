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

# The tests' workspaces live in memory (/dev/shm) when there is room for them: every SQLite
# commit and output file is fsync'ed, which on a disk costs more than most tests do. Only the
# workspaces of failed tests are kept, to look at afterwards.
TEST_TMP = $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && \
	[ "$$(df -Pk /dev/shm | awk 'NR == 2 {print $$4}')" -gt 1048576 ] 2>/dev/null && echo /dev/shm)
PYTEST = $(if $(TEST_TMP),TMPDIR=$(TEST_TMP) )$(BIN)/python -m pytest \
	-o tmp_path_retention_policy=failed

# Everything; CI runs this (with CI=true: the `ci` hypothesis profile, see tests/conftest.py).
test: $(TEST_STAMP)
	$(PYTEST)

# The inner loop: every test not marked slow (processes, terminals, servers, the wheel,
# big property runs, whole-demo runs, Word files); under 30 s.
quick: $(TEST_STAMP)
	$(PYTEST) -m "not slow"

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
