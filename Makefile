# Common commands. `make run` and `make test` are the two set-up commands of the README.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format migrate worker bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## Install, migrate, seed the demo organisation and serve on http://127.0.0.1:8000 (tasks in-process).
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## Install test tools, lint, and run the whole test suite.
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

## A Celery worker (needs REDIS_URL).
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A reporting worker --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
