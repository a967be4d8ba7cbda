# Two commands for a fresh machine:
#   make atlas   set up .venv (+ Leaflet assets from npm) and build layers/ and maps/ from seeds/
#   make test    set up .venv with the test extra and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORPUS ?= seeds

.PHONY: atlas test lint format install install-test assets check bench screenshots clean wheel

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

atlas: install assets
	$(BIN)/geo build --corpus $(CORPUS)

test: install-test assets lint
	$(BIN)/python -m pytest -n 2 -q

lint: install-test
	$(BIN)/ruff check geo tests tools benchmarks
	$(BIN)/ruff format --check geo tools
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix geo tests tools benchmarks
	$(BIN)/ruff format geo tools

check: install
	$(BIN)/geo check

# a wheel that works anywhere, offline: setup.py vendors the pinned assets and the seed corpus
wheel: install assets
	$(BIN)/python -m pip wheel --no-deps --quiet -w dist .

bench: install assets
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_network.py
	$(BIN)/python benchmarks/bench_maps.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_reader.py

screenshots: install-test assets
	$(BIN)/python tools/screenshots.py --maps maps --out maps/screenshots

clean:
	rm -rf $(VENV) node_modules .pytest_cache tests/artifacts dist build geo/maps/vendor geo/data/seeds
