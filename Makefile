# costgov: the two set-up commands are `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR ?= var/demo
DEMO_DAYS ?= 35
DEMO_SEED ?= 7
# The demo ends yesterday (UTC): telemetry older than the retention window is refused.
DEMO_START ?= $(shell date -u -d "$(DEMO_DAYS) days ago" +%Y-%m-%d)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv test lint format migrate demo demo-data serve worker beat bench stop clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole suite: lint, migrations in sync, then pytest (exit 5, "no tests", fails too).
test: $(STAMP) lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_price_book

demo-data: $(STAMP)
	$(PY) manage.py generate_demo --out $(DEMO_DIR) --days $(DEMO_DAYS) --seed $(DEMO_SEED) \
		--start $(DEMO_START)

# Set up everything, run the pipeline through a real Celery worker, then serve the UI.
demo: migrate demo-data
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_pipeline --data $(DEMO_DIR) --start-worker
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop; 'make stop' stops embedded services)"
	$(VENV)/bin/gunicorn costgov.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

serve: $(STAMP)
	$(VENV)/bin/gunicorn costgov.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

worker: $(STAMP)
	$(VENV)/bin/celery -A costgov worker --loglevel INFO --concurrency 2

beat: $(STAMP)
	$(VENV)/bin/celery -A costgov beat --loglevel INFO --schedule var/celerybeat-schedule

# Benchmarks (see docs/benchmarks.md): all of them, or BENCH=name for one.
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH)

stop: $(STAMP)
	$(PY) -c "from apps.demo.pipeline import worker_stop; worker_stop()"
	$(PY) -m costgov.embedded stop

clean: stop
	rm -rf var
