"""Every public sample imports, and the ledger's totals equal the file's own Decimal sums."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from apps.billing.choices import ImportStatus
from apps.billing.models import CostLineItem
from apps.billing.services.billing_import import billing_import_file
from apps.billing.tests.totals import file_totals

DATA = Path("/work/shared/data")
# FOCUS spec examples with an impossible hour ("2023-02-01T30:00:00Z") in ChargePeriodEnd:
# they must be rejected, naming the row and column (see the bad-input tests).
INVALID_SAMPLES = {
    "commitment_discount_purchase_scenario_2.csv",
    "commitment_discount_purchase_scenario_3.csv",
}
SAMPLES = sorted(
    path
    for folder in ("aws-cur", "aws-cur2", "gcp", "focus")
    for path in (DATA / folder).rglob("*")
    if path.is_file() and path.name not in INVALID_SAMPLES
)


def _ledger_totals(import_id: int) -> dict[str, dict[str, Decimal]]:
    rows = (
        CostLineItem.objects.filter(import_run_id=import_id)
        .values("billing_currency")
        .annotate(billed=Sum("billed_cost"), effective=Sum("effective_cost"))
    )
    return {
        row["billing_currency"]: {"billed_cost": row["billed"], "effective_cost": row["effective"]}
        for row in rows
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_file_imports_with_totals_equal_to_the_files_decimal_sums(path: Path) -> None:
    run = billing_import_file(paths=[path], triggered_by="test")

    assert run.status == ImportStatus.SUCCEEDED, run.error
    expected = file_totals(path, run.format)
    stored = _ledger_totals(run.pk)
    assert set(stored) == set(expected)
    for currency, sums in expected.items():
        assert stored[currency]["billed_cost"] == sums["billed_cost"]
        if "effective_cost" in sums:
            assert stored[currency]["effective_cost"] == sums["effective_cost"]
    assert CostLineItem.objects.filter(import_run_id=run.pk).count() == run.rows_total
    assert run.source_totals == run.stored_totals
    assert len(run.sha256[path.name]) == 64


@pytest.mark.django_db
def test_readme_reference_totals_are_reproduced_exactly() -> None:
    cases = {
        DATA / "aws-cur/test_cur.csv": ("USD", "0.0827499841274349353"),
        DATA / "aws-cur/sample-anonymous-aws-export-dataset.csv": ("USD", "1.6823086974"),
        DATA / "focus/curanon-sample_focus_azure.csv": ("USD", "193.80768904891416699989999"),
    }
    for path, (currency, total) in cases.items():
        run = billing_import_file(paths=[path], triggered_by="test", source_name=path.name)
        assert _ledger_totals(run.pk)[currency]["billed_cost"] == Decimal(total)


@pytest.mark.django_db
def test_azure_focus_effective_cost_keeps_all_24_decimal_places() -> None:
    path = DATA / "focus/curanon-sample_focus_azure.csv"
    run = billing_import_file(paths=[path], triggered_by="test")
    stored = _ledger_totals(run.pk)["USD"]
    assert stored["effective_cost"] == Decimal("205.49855381591416599989999")


@pytest.mark.django_db
def test_cur_savings_plan_covered_usage_costs_its_savings_plan_effective_cost() -> None:
    run = billing_import_file(paths=[DATA / "aws-cur/2023-06-01.csv"], triggered_by="test")
    items = CostLineItem.objects.filter(import_run_id=run.pk)
    assert {item.charge_category for item in items} == {"Usage"}
    assert {item.pricing_category for item in items} == {"Commitment-Based"}
    totals = items.aggregate(billed=Sum("billed_cost"), effective=Sum("effective_cost"))
    assert totals == {"billed": Decimal("30"), "effective": Decimal("0.3")}


@pytest.mark.django_db
def test_gcp_credits_reduce_effective_cost_and_labels_become_tags() -> None:
    path = DATA / "gcp/koku-202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
    run = billing_import_file(paths=[path], triggered_by="test")
    items = CostLineItem.objects.filter(import_run_id=run.pk)
    totals = items.aggregate(billed=Sum("billed_cost"), effective=Sum("effective_cost"))
    assert totals == {"billed": Decimal("0.000032"), "effective": Decimal("0")}
    assert items.filter(tags__has_key="goog-resource-type").exists()


@pytest.mark.django_db
def test_cur2_csv_and_parquet_give_the_same_ledger_rows() -> None:
    fields = ("billing_period_start", "billed_cost", "billing_currency", "tags", "sub_account_id")
    rows = []
    for name in ("sample_cur2.csv", "sample_cur2.parquet"):
        run = billing_import_file(
            paths=[DATA / "aws-cur2" / name], source_name=name, triggered_by="t"
        )
        items = CostLineItem.objects.filter(import_run_id=run.pk).order_by("source_row")
        rows.append(list(items.values_list(*fields)))
    assert rows[0] == rows[1]
    assert rows[0][0][3] == {"Environment": "Prod", "Owner": "Alice"}
