"""``bq://project.dataset.table?month=YYYYMM`` with the real BigQuery client and a fake API."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.billing.choices import ImportStatus
from apps.billing.models import BillingImport, CostLineItem
from apps.billing.services.billing_import_table import billing_import_table
from apps.billing.tests.gcp_table import EXPORT_TABLE, export_row
from apps.common.errors import SourceUnavailable
from tests.fakes.bigquery import FakeBigQuery, FakeTable, export_schema

pytestmark = pytest.mark.django_db

LOCATION = f"bq://{EXPORT_TABLE}?month=202611"


def _detailed_table(bigquery: FakeBigQuery, rows: list[dict]) -> FakeTable:
    table = FakeTable(export_schema(detailed=True), rows)
    bigquery.tables[EXPORT_TABLE] = table
    return table


def _ledger_sums() -> dict:
    return CostLineItem.objects.aggregate(
        billed=Sum("billed_cost"), effective=Sum("effective_cost"), list=Sum("list_cost")
    )


def test_month_is_read_page_by_page_with_credits_labels_and_exact_totals(
    bigquery: FakeBigQuery,
) -> None:
    _detailed_table(
        bigquery,
        [
            export_row(cost="12.345678", credits=("-2.5", "-0.000001"), labels={"team": "search"}),
            export_row(cost="0.1", project="proj-b", labels={"team": "assistant", "env": "prod"}),
            export_row(cost="0.2", day="2026-11-30"),
            export_row(cost="1E-6", resource="projects/proj-a/instances/gpu-2"),
            export_row(cost="0", credits=("-0.75",), service="Compute Engine"),
            export_row(cost="99", month="202610", day="2026-10-31"),  # another invoice month
        ],
    )
    out = StringIO()
    call_command("import_billing", LOCATION, "--source", "gcp-bq", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["rows"] == 5
    assert summary["billing_periods"] == ["2026-11-01"]
    assert summary["totals"] == {"USD": "12.645679"}
    assert _ledger_sums() == {
        "billed": Decimal("12.645679"),
        "effective": Decimal("9.395678"),
        "list": Decimal("12.645679"),
    }
    first = CostLineItem.objects.get(billed_cost=Decimal("12.345678"))
    assert first.effective_cost == Decimal("9.845677")
    assert first.tags == {"team": "search"}
    assert first.sub_account_id == "proj-a"
    assert first.resource_name == "gpu-1"
    assert first.resource_id == "//compute/projects/proj-a/instances/gpu-1"
    assert first.region == "us-central1"
    assert first.service_name == "Vertex AI"
    assert first.sku_id == "A100-HOUR"
    assert first.billing_currency == "USD"
    assert first.charge_period_start.isoformat() == "2026-11-03T10:00:00+00:00"
    assert CostLineItem.objects.get(sub_account_id="proj-b").tags == {
        "team": "assistant",
        "env": "prod",
    }
    assert CostLineItem.objects.get(service_name="Compute Engine").charge_category == "Credit"

    # Five rows, two per page: the first page comes with jobs.query, two more are fetched.
    pages = [path for method, path in bigquery.calls if "/queries/" in path and "pageToken" in path]
    assert len(pages) == 2
    run = BillingImport.objects.get()
    assert run.location == LOCATION
    assert run.file_names == [LOCATION]
    assert list(run.sha256) == [LOCATION]
    assert run.status == ImportStatus.SUCCEEDED


def test_query_filters_the_invoice_month_and_prunes_ingestion_time_partitions(
    bigquery: FakeBigQuery,
) -> None:
    _detailed_table(bigquery, [export_row(cost="1")])
    billing_import_table(location=LOCATION, triggered_by="test")

    request = bigquery.queries[-1]
    sql = request["query"]
    assert f"FROM `{EXPORT_TABLE}`" in sql
    assert "WHERE invoice.month = @invoice_month" in sql
    assert "_PARTITIONTIME >= @partition_start AND _PARTITIONTIME < @partition_end" in sql
    assert request["useLegacySql"] is False
    params = {p["name"]: p["parameterValue"]["value"] for p in request["queryParameters"]}
    assert params == {
        "invoice_month": "202611",
        "partition_start": "2026-10-25 00:00:00",
        "partition_end": "2027-01-01 00:00:00",
    }


def test_standard_export_partitioned_by_usage_start_reads_only_columns_it_has(
    bigquery: FakeBigQuery,
) -> None:
    row = export_row(cost="3.5", credits=("-0.5",))
    del row["resource"], row["cost_at_list"]
    bigquery.tables[EXPORT_TABLE] = FakeTable(
        export_schema(detailed=False, cost_at_list=False), [row], partition_field="usage_start_time"
    )
    run = billing_import_table(location=LOCATION, triggered_by="test")

    assert run.status == ImportStatus.SUCCEEDED, run.error
    sql = bigquery.queries[-1]["query"]
    assert "AS resource" not in sql
    assert "cost_at_list," not in sql
    assert "usage_start_time >= @partition_start AND usage_start_time < @partition_end" in sql
    item = CostLineItem.objects.get()
    assert (item.billed_cost, item.effective_cost, item.list_cost) == (
        Decimal("3.5"),
        Decimal("3"),
        Decimal("3.5"),
    )
    assert item.resource_name == ""


def test_fetch_failure_on_a_later_page_raises_and_leaves_the_ledger_unchanged(
    bigquery: FakeBigQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apps.billing.bigquery.RETRY_DEADLINE_S", 0)
    table = _detailed_table(bigquery, [export_row(cost="1.25"), export_row(cost="2.5")])
    billing_import_table(location=LOCATION, triggered_by="test")
    before = list(CostLineItem.objects.values_list("id", "billed_cost").order_by("id"))

    table.rows = [export_row(cost="7")] * 5  # a restatement, but page 2 cannot be read
    bigquery.fail_page = 2
    with pytest.raises(SourceUnavailable, match="BigQuery"):
        billing_import_table(location=LOCATION, triggered_by="test")

    assert list(CostLineItem.objects.values_list("id", "billed_cost").order_by("id")) == before
    failed = BillingImport.objects.order_by("-pk").first()
    assert failed.status == ImportStatus.FAILED
    assert "BigQuery" in failed.error


def test_unknown_table_is_refused_not_retried(bigquery: FakeBigQuery) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Not found"):
        call_command("import_billing", LOCATION)
    assert CostLineItem.objects.count() == 0


def test_same_rows_in_another_order_are_skipped_when_asked(bigquery: FakeBigQuery) -> None:
    rows = [export_row(cost="1.5"), export_row(cost="2", project="proj-b"), export_row(cost="3")]
    table = _detailed_table(bigquery, rows)
    first = billing_import_table(location=LOCATION, triggered_by="test", skip_unchanged=True)
    ids = set(CostLineItem.objects.values_list("id", flat=True))

    table.rows = list(reversed(rows))
    second = billing_import_table(location=LOCATION, triggered_by="test", skip_unchanged=True)

    assert first.status == ImportStatus.SUCCEEDED
    assert second.status == ImportStatus.SKIPPED
    assert f"import {first.pk}" in second.note
    assert second.sha256 == first.sha256
    assert set(CostLineItem.objects.values_list("id", flat=True)) == ids

    table.rows = [*rows, export_row(cost="0.01")]  # a late row: imported again
    third = billing_import_table(location=LOCATION, triggered_by="test", skip_unchanged=True)
    assert third.status == ImportStatus.SUCCEEDED
    assert _ledger_sums()["billed"] == Decimal("6.51")


def test_empty_invoice_month_is_skipped(bigquery: FakeBigQuery) -> None:
    _detailed_table(bigquery, [export_row(cost="1", month="202610", day="2026-10-30")])
    run = billing_import_table(location=LOCATION, triggered_by="test")

    assert run.status == ImportStatus.SKIPPED
    assert "no rows" in run.note
    assert CostLineItem.objects.count() == 0


@pytest.mark.parametrize(
    "location", ["bq://proj-billing.ds.table", "bq://proj-billing.ds.table?month=2026-11", "bq://x"]
)
def test_location_must_name_a_table_and_one_month(location: str) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bq://"):
        call_command("import_billing", location)
