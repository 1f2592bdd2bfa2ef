# The two commands: `make run` (the demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test lint typecheck pytest browser-deps clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(RUN_STAMP)

# The demo prints its passwords: it listens on this machine only unless asked
# (`make run HOST=0.0.0.0` for other devices on the network; `PORT=8080` for another port).
HOST ?= 127.0.0.1
PORT ?= 8000
run: $(RUN_STAMP)
	QUEUE_ENV=demo $(BIN)/queue-server demo --host $(HOST) --port $(PORT)

browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium \
		|| echo "chromium could not be installed: browser tests will be skipped"; \
	fi
	@command -v espeak-ng >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq espeak-ng \
		|| echo "espeak-ng could not be installed: server-side voice tests will be skipped"; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP) browser-deps
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
