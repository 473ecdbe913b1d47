# Common commands. `make run` and `make test` are the two set-up commands of the README.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format migrate worker bench clean assets load bench-read

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

# Browser assets (Chart.js) from the npm registry, at the versions package-lock.json pins. Optional: without
# npm the dashboard still works and shows its figures as tables only.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@ \
			|| echo "npm ci failed: the dashboard's charts are left out (its tables still show every figure)"; \
	else echo "npm not found: the dashboard's charts are left out (its tables still show every figure)"; fi

# The French translations, compiled from the committed .po (the .mo is generated, not committed).
# Needs gettext's msgfmt (apt-get install -y gettext); without it the pages stay in English.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@if command -v msgfmt >/dev/null 2>&1; then msgfmt --check-format -o $@ $<; \
	else echo "msgfmt not found (apt-get install -y gettext): $< is not compiled, pages stay in English"; fi

## Install what the app serves besides Python: Chart.js (npm) and the compiled translations.
assets: node_modules/.installed $(MO_FILES)

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## Install, migrate, seed the demo organisation and serve on http://127.0.0.1:8000 (tasks in-process).
run: $(VENV)/.installed assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## Install test tools, lint, check formatting, and run the whole test suite.
test: $(VENV)/.installed-dev assets
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

## A Celery worker (needs REDIS_URL).
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A reporting worker --loglevel=INFO

## Load bench, not part of the tests: its own PostgreSQL database, demo data, gunicorn, locust (50 users, 60 s).
## Flags through LOAD_ARGS, e.g. make load LOAD_ARGS="--users 20 --duration 15".
load: $(VENV)/.installed
	$(PIP) install --quiet -r requirements-bench.txt
	$(PY) bench/load.py $(LOAD_ARGS)

## Read bench, not part of the tests: a year of 5 M records (SQLite by default), gunicorn, every page and export
## timed next to the database's own aggregate. Flags through READ_ARGS, e.g.
## make bench-read READ_ARGS="--records 200000 --database postgres --reuse".
bench-read: $(VENV)/.installed
	$(PY) bench/read.py $(READ_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
