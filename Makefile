# The two commands of the README: `make demo` and `make test`. Both create .venv/ first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# bench/ may not exist yet on every branch; lint what is there.
LINTED := $(wildcard verifier plugins tests bench examples)

# The real-browser test (tests/bundle/test_browser.py) opens report.html in Debian's
# chromium; install it once when missing (needs root, or sudo).
CHROMIUM ?= /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint types unit bench clean browser

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
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

types: $(STAMP)
	$(BIN)/mypy

browser:
	@[ -x $(CHROMIUM) ] || { echo "installing chromium for the browser test"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

unit: $(STAMP) browser
	$(BIN)/python -m pytest -n auto

test: lint types unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo-report finops-verify-report
