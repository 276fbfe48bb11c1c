# Every target bootstraps .venv itself, so one command works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-web lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/matchmaker demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.solver_bench

# Listing pages and market view at 100,000 listings, SQLite and PostgreSQL, 50 users (needs wrk).
bench-web: $(STAMP)
	$(BIN)/python -m benchmarks.web_bench

lint: $(STAMP)
	$(BIN)/ruff check matchmaker solver tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
