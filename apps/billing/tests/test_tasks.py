"""``billing.import_run`` through a real Celery worker (Redis broker), and run twice."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.billing.choices import ImportStatus
from apps.billing.models import BillingImport, CostLineItem
from apps.billing.tasks import billing_import_run_task
from apps.billing.tests.factories import cur_row, write_csv


def _wait_finished(import_id: int, timeout_s: float = 60) -> BillingImport:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = BillingImport.objects.get(pk=import_id)
        if run.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return run
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} still {run.status} after {timeout_s}s")


@pytest.mark.django_db(transaction=True)
def test_uploaded_file_is_imported_by_a_real_worker_and_a_redelivery_is_a_no_op(
    worker_app, finance_user, client_for: Callable, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "cur.csv", [cur_row(cost="1.5"), cur_row(cost="2")]).read_bytes()
    client = client_for(finance_user, scopes=["ingest:billing"])
    with (
        override_settings(COSTGOV_UPLOAD_DIR=tmp_path / "uploads"),
        start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):
        response = client.post(
            "/api/v1/billing/imports",
            {"file": SimpleUploadedFile("cur.csv", data)},
            format="multipart",
        )
        assert response.status_code == 202
        run = _wait_finished(response.json()["import_id"])
        assert run.status == ImportStatus.SUCCEEDED, run.error

        billing_import_run_task.delay(run.pk).get(timeout=30)  # at-least-once redelivery

    assert CostLineItem.objects.count() == 2
    assert (
        BillingImport.objects.get(pk=run.pk).stored_totals["2024-01-01"]["USD"]["billed_cost"]
        == "3.5"
    )
