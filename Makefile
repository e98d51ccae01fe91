# chaosgame: two commands set everything up (`make play`, `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: play test check lint format types bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml scripts/system-deps.sh | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	scripts/system-deps.sh
	touch $(STAMP) $@

play: $(STAMP)
	$(BIN)/chaosgame play

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal

lint: $(TEST_STAMP)
	$(BIN)/ruff format --check chaosgame tests benchmarks
	$(BIN)/ruff check chaosgame tests benchmarks

format: $(TEST_STAMP)
	$(BIN)/ruff format chaosgame tests benchmarks
	$(BIN)/ruff check --fix chaosgame tests benchmarks

types: $(TEST_STAMP)
	$(BIN)/mypy

check: lint types test

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_telemetry.py
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_tui.py
	$(BIN)/python benchmarks/bench_agent.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
