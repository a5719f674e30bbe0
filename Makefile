# The portal's commands. `make run` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

# Django 6 needs Python >= 3.12: take python3.13 or python3.12 from PATH, then pyenv's copies.
PYTHON ?= $(shell \
  for p in python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
    if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; break; fi; \
  done)

.PHONY: run test e2e lint format typecheck migrations-check messages setup seed bench ci clean

$(BIN)/.installed: pyproject.toml constraints.txt
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python 3.12 or newer is required (Django 6). Install python3.13 or python3.12 and put it on PATH." >&2; \
	  exit 1; fi
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore='.venv' -v 0; \
	  else echo "msgfmt not found: using the committed .mo translations"; fi
	$(BIN)/python manage.py collectstatic --noinput -v 0

seed: setup
	$(BIN)/python manage.py seed_demo

# The data zone worker loads uploads and send_notifications mails notifications in the background
# beside the server; all three stop together.
run: seed
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py datazone_worker & \
	$(BIN)/python manage.py send_notifications & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

e2e: $(BIN)/.installed
	$(BIN)/pytest -m e2e tests/e2e

# The import contracts in pyproject.toml ([tool.importlinter]) keep the apps' layers one-way.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy with django-stubs and the DRF stubs ([tool.mypy] in pyproject.toml; local stubs in stubs/).
typecheck: $(BIN)/.installed
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(BIN)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

# Extract strings into the zh-hans catalogue; translate them, then `make setup` compiles.
messages: $(BIN)/.installed
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore='.venv/*' --ignore='staticfiles/*' --no-obsolete --no-location
	$(BIN)/python manage.py compilemessages --ignore='.venv'

bench: $(BIN)/.installed
	@ls bench/*.py >/dev/null 2>&1 && for b in bench/bench_*.py; do $(BIN)/python $$b; done || echo "no benchmarks yet"

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
