# The two commands of the README: `make demo` and `make test`. Both create .venv/ first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint types unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the package definition changes.
$(STAMP): pyproject.toml examples/finops-verifier-example/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e examples/finops-verifier-example
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/finops-verify demo --out demo-report

lint: $(STAMP)
	$(BIN)/ruff check verifier plugins tests bench examples
	$(BIN)/ruff format --check verifier plugins tests bench examples

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint types unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo-report finops-verify-report
