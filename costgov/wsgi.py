"""WSGI entry point (gunicorn costgov.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "costgov.settings")
application = get_wsgi_application()

# Garbage collection tuned for request bursts: an ingest request allocates tens of thousands of
# short-lived objects (rows, tuples, datetimes), which at the default threshold (700) ran ~40
# young collections per 1,000-event batch, and the occasional full collection walked every
# object Django had loaded. Those are frozen (never scanned again) and young collections run
# every 50,000 allocations: 5-12 % less gunicorn CPU per event over 200,000-event ingest
# benchmark runs, none measurable over 5,000,000 (docs/benchmarks.md). Cycles are still
# collected; they wait a little longer.
gc.freeze()
gc.set_threshold(50_000, 20, 100)
