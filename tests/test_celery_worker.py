"""Tasks run through a real Celery worker consuming from the real Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker

from apps.catalog.models import PriceBookEntry
from apps.catalog.tasks import price_book_seed_task


@pytest.mark.django_db(transaction=True)
def test_price_book_seed_runs_in_a_real_worker_and_is_safe_to_run_twice(worker_app):
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = price_book_seed_task.delay().get(timeout=60)
        second = price_book_seed_task.delay().get(timeout=60)
    assert first["created"] == PriceBookEntry.objects.count() > 0
    assert second == {"created": 0, "updated": first["created"], "kept": 0}
