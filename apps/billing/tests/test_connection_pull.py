"""``connection_pull``: this month and last, through the normal import, idempotent, recorded."""

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from apps.billing.choices import ConnectionKind, ConnectionStatus, ImportStatus
from apps.billing.models import BillingImport, CloudConnection, CostLineItem
from apps.billing.services.connection_pull import connection_pull, pull_months
from apps.billing.tests.conftest import BUCKET
from apps.billing.tests.cur_delivery import deliver
from apps.billing.tests.gcp_table import EXPORT_TABLE, export_row
from apps.common.errors import SourceUnavailable
from tests.fakes.bigquery import FakeBigQuery, FakeTable, export_schema

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 4, 15, tzinfo=UTC)


def _billed_by_period() -> dict[str, Decimal]:
    rows = CostLineItem.objects.values("billing_period_start").annotate(total=Sum("billed_cost"))
    return {row["billing_period_start"].isoformat(): row["total"] for row in rows}


def _ids() -> set[int]:
    return set(CostLineItem.objects.values_list("id", flat=True))


def test_pull_months_are_the_previous_and_current_month() -> None:
    assert pull_months(date(2026, 11, 23)) == [date(2026, 10, 1), date(2026, 11, 1)]
    assert pull_months(date(2027, 1, 1)) == [date(2026, 12, 1), date(2027, 1, 1)]


def test_s3_connection_imports_two_periods_skips_unchanged_data_and_takes_restatements(
    s3,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    deliver(s3, tmp_path, "2026-09", "sep", ["100"])  # older than last month: not pulled
    deliver(s3, tmp_path, "2026-10", "oct1", ["1.10", "2.20"])
    deliver(s3, tmp_path, "2026-11", "nov1", ["0.30"])
    connection = CloudConnection.objects.create(
        name="aws-main", kind=ConnectionKind.S3, location=f"s3://{BUCKET}/cur"
    )

    runs = connection_pull(connection_id=connection.pk, now=NOW)

    assert [run.status for run in runs] == [ImportStatus.SUCCEEDED] * 2
    assert _billed_by_period() == {"2026-10-01": Decimal("3.3"), "2026-11-01": Decimal("0.3")}
    connection.refresh_from_db()
    assert (connection.last_status, connection.last_error) == (ConnectionStatus.OK, "")
    assert connection.last_run_at == NOW
    assert connection.source.name == "connection:aws-main"
    assert set(BillingImport.objects.values_list("connection", flat=True)) == {connection.pk}
    ids = _ids()

    again = connection_pull(connection_id=connection.pk, now=NOW)
    assert [run.status for run in again] == [ImportStatus.SKIPPED] * 2
    assert _ids() == ids

    time.sleep(1.1)  # S3 LastModified has one-second resolution
    deliver(s3, tmp_path, "2026-10", "oct2", ["5.55"])  # AWS restates October
    restated = connection_pull(connection_id=connection.pk, now=NOW)
    assert [run.status for run in restated] == [ImportStatus.SUCCEEDED, ImportStatus.SKIPPED]
    assert _billed_by_period() == {"2026-10-01": Decimal("5.55"), "2026-11-01": Decimal("0.3")}


def test_bigquery_connection_imports_both_invoice_months_once(bigquery: FakeBigQuery) -> None:
    bigquery.tables[EXPORT_TABLE] = FakeTable(
        export_schema(detailed=True),
        [
            export_row(cost="7", month="202609", day="2026-09-10"),
            export_row(cost="1.5", month="202610", day="2026-10-10", credits=("-0.5",)),
            export_row(cost="2.25", month="202611", day="2026-11-02"),
        ],
    )
    connection = CloudConnection.objects.create(
        name="gcp-main", kind=ConnectionKind.BIGQUERY, location=f"bq://{EXPORT_TABLE}"
    )

    runs = connection_pull(connection_id=connection.pk, now=NOW)
    assert [run.location for run in runs] == [
        f"bq://{EXPORT_TABLE}?month=202610",
        f"bq://{EXPORT_TABLE}?month=202611",
    ]
    assert [run.status for run in runs] == [ImportStatus.SUCCEEDED] * 2
    assert _billed_by_period() == {"2026-10-01": Decimal("1.5"), "2026-11-01": Decimal("2.25")}
    assert CostLineItem.objects.aggregate(e=Sum("effective_cost"))["e"] == Decimal("3.25")
    ids = _ids()

    again = connection_pull(connection_id=connection.pk, now=NOW)
    assert [run.status for run in again] == [ImportStatus.SKIPPED] * 2
    assert _ids() == ids
    connection.refresh_from_db()
    assert connection.last_status == ConnectionStatus.OK


def test_unavailable_source_is_recorded_and_raised_and_the_ledger_is_unchanged(
    bigquery: FakeBigQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apps.billing.bigquery.RETRY_DEADLINE_S", 0)
    bigquery.tables[EXPORT_TABLE] = FakeTable(export_schema(detailed=True), [export_row(cost="1")])
    bigquery.fail_page = 1
    connection = CloudConnection.objects.create(
        name="gcp-main", kind=ConnectionKind.BIGQUERY, location=f"bq://{EXPORT_TABLE}"
    )

    with pytest.raises(SourceUnavailable):
        connection_pull(connection_id=connection.pk, now=NOW)

    connection.refresh_from_db()
    assert connection.last_status == ConnectionStatus.UNAVAILABLE
    assert "BigQuery" in connection.last_error
    assert CostLineItem.objects.count() == 0


def test_prefix_without_deliveries_fails_the_pull_without_retrying(s3) -> None:  # noqa: ANN001
    connection = CloudConnection.objects.create(
        name="aws-empty", kind=ConnectionKind.S3, location=f"s3://{BUCKET}/nothing"
    )
    assert connection_pull(connection_id=connection.pk, now=NOW) == []
    connection.refresh_from_db()
    assert connection.last_status == ConnectionStatus.FAILED
    assert "no CUR manifest" in connection.last_error


def test_disabled_connection_is_not_pulled() -> None:
    connection = CloudConnection.objects.create(
        name="off", kind=ConnectionKind.S3, location="s3://nowhere/x", is_enabled=False
    )
    assert connection_pull(connection_id=connection.pk, now=NOW) == []
    connection.refresh_from_db()
    assert connection.last_run_at is None
