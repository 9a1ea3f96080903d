"""Tasks run through a real Celery worker consuming from the real Redis broker."""

import time
from types import SimpleNamespace

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from apps.catalog.models import PriceBookEntry
from apps.catalog.tasks import price_book_seed_task
from costgov.celery import task_database_connections_checked


@pytest.mark.django_db(transaction=True)
def test_price_book_seed_runs_in_a_real_worker_and_is_safe_to_run_twice(worker_app):
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = price_book_seed_task.delay().get(timeout=60)
        second = price_book_seed_task.delay().get(timeout=60)
    assert first["created"] == PriceBookEntry.objects.count() > 0
    assert second == {"created": 0, "updated": first["created"], "kept": 0}


def _backend_pid() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_workers_keep_database_connections_between_tasks_until_max_age(worker_app):
    # Celery's Django fixup closes connections around every task unless told to reuse them.
    assert worker_app.conf.get("CELERY_DB_REUSE_MAX") >= 1
    first = _backend_pid()
    task_database_connections_checked()  # what runs before and after each task
    assert _backend_pid() == first
    connection.close_at = time.monotonic() - 1  # past CONN_MAX_AGE
    task_database_connections_checked()
    assert _backend_pid() != first


def test_eager_tasks_leave_their_callers_connection_alone(db):
    eager = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    connection.close_at = time.monotonic() - 1
    pid = _backend_pid()
    task_database_connections_checked(task=eager)  # inside the test's transaction: not closed
    assert _backend_pid() == pid
