"""``billing.connections_pull`` through a real worker: S3 and BigQuery connections, a retry."""

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from apps.billing.choices import ConnectionKind, ConnectionStatus, ImportStatus
from apps.billing.models import BillingImport, CloudConnection, CostLineItem
from apps.billing.services.connection_pull import pull_months
from apps.billing.tasks import connections_pull_task
from apps.billing.tests.conftest import BUCKET
from apps.billing.tests.cur_delivery import deliver
from apps.billing.tests.gcp_table import EXPORT_TABLE, export_row
from apps.common.clock import utcnow
from tests.fakes.bigquery import FakeBigQuery, FakeTable, export_schema


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"still waiting for {what} after {timeout_s}s")


def _both_ok() -> bool:
    statuses = CloudConnection.objects.filter(is_enabled=True).values_list("last_status", flat=True)
    return sorted(statuses) == [ConnectionStatus.OK] * 2


@pytest.mark.django_db(transaction=True)
def test_daily_pull_imports_every_connection_retries_the_unavailable_one_and_is_idempotent(
    worker_app,  # noqa: ANN001
    s3,  # noqa: ANN001
    bigquery: FakeBigQuery,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("apps.billing.bigquery.RETRY_DEADLINE_S", 0)
    previous, current = pull_months(utcnow().date())
    deliver(s3, tmp_path, previous.strftime("%Y-%m"), "prev", ["1.10"])
    deliver(s3, tmp_path, current.strftime("%Y-%m"), "curr", ["2.20"])
    bigquery.tables[EXPORT_TABLE] = FakeTable(
        export_schema(detailed=True),
        [
            export_row(cost="10", month=previous.strftime("%Y%m"), day=previous.isoformat()),
            export_row(cost="20", month=current.strftime("%Y%m"), day=current.isoformat()),
        ],
    )
    bigquery.fail_page, bigquery.failures_left = 1, 1  # BigQuery answers 503 once
    aws = CloudConnection.objects.create(
        name="aws-main", kind=ConnectionKind.S3, location=f"s3://{BUCKET}/cur"
    )
    gcp = CloudConnection.objects.create(
        name="gcp-main", kind=ConnectionKind.BIGQUERY, location=f"bq://{EXPORT_TABLE}"
    )
    CloudConnection.objects.create(
        name="off", kind=ConnectionKind.S3, location="s3://nowhere/x", is_enabled=False
    )

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert sorted(connections_pull_task.delay().get(timeout=30)) == sorted([aws.pk, gcp.pk])
        _wait_for(_both_ok, "both connections pulled")
        ids = set(CostLineItem.objects.values_list("id", flat=True))

        connections_pull_task.delay().get(timeout=30)
        _wait_for(
            lambda: BillingImport.objects.filter(status=ImportStatus.SKIPPED).count() == 4,
            "the second pull",
        )

    assert len(bigquery.queries) == 1 + 2 + 2  # the failed attempt, then two months twice
    gcp_runs = BillingImport.objects.filter(connection=gcp).order_by("pk")
    assert [run.status for run in gcp_runs] == [
        ImportStatus.FAILED,  # the 503: recorded, then retried by the task
        ImportStatus.SUCCEEDED,
        ImportStatus.SUCCEEDED,
        ImportStatus.SKIPPED,
        ImportStatus.SKIPPED,
    ]
    assert set(CostLineItem.objects.values_list("id", flat=True)) == ids
    totals = {
        connection.name: sum(
            CostLineItem.objects.filter(source=connection.source).values_list(
                "billed_cost", flat=True
            )
        )
        for connection in CloudConnection.objects.filter(is_enabled=True)
    }
    assert totals == {"aws-main": Decimal("3.3"), "gcp-main": Decimal("30")}
