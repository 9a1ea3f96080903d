from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from apps.accounts.models import Team
from apps.catalog.models import ModelEndpoint
from apps.demo.tasks import demo_catalog_load_task


@pytest.mark.django_db(transaction=True)
def test_catalog_load_task_runs_twice_on_a_real_worker(
    worker_app, small_dataset: Path, manifest: dict, settings: object
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = demo_catalog_load_task.delay(str(small_dataset)).get(timeout=60)
        second = demo_catalog_load_task.delay(str(small_dataset)).get(timeout=60)
    assert first["created"]["endpoint"] == len(manifest["catalog"]["endpoints"])
    assert second == {"created": {}, "updated": {}}
    assert Team.objects.count() == len(manifest["catalog"]["teams"])
    assert ModelEndpoint.objects.count() == len(manifest["catalog"]["endpoints"])
