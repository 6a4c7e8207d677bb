# tripolar: two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tripolar assess --store $(VENV)/demo-store.sqlite
	@echo "Open the web app: $(BIN)/tripolar serve --store $(VENV)/demo-store.sqlite  ->  http://127.0.0.1:8000/"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Bad-input campaign with a larger budget than `make test` (TRIPOLAR_FUZZ_CASES to change it);
# prints the cases generated, the exit-status distribution, tracebacks, hangs and writes.
FUZZ_CASES ?= 10000
fuzz: $(STAMP)
	TRIPOLAR_FUZZ_CASES=$(FUZZ_CASES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
