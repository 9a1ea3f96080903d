"""The import service: atomic restatement, idempotence, failure isolation, bad input."""

import gzip
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from apps.billing.choices import ImportStatus
from apps.billing.models import BillingImport, CostLineItem
from apps.billing.services import billing_import as service
from apps.billing.services.billing_import import (
    billing_import_create,
    billing_import_file,
    billing_import_run,
)
from apps.billing.tests.factories import CUR_COLUMNS, cur_row, write_csv

pytestmark = pytest.mark.django_db

FEBRUARY = "2024-02-01T00:00:00Z"


def _snapshot() -> list[tuple]:
    return list(
        CostLineItem.objects.order_by("id").values_list(
            "id", "billing_period_start", "billed_cost", "import_run_id"
        )
    )


def _total(**filters: object) -> Decimal | None:
    return CostLineItem.objects.filter(**filters).aggregate(s=Sum("billed_cost"))["s"]


@pytest.fixture
def january(tmp_path: Path) -> Path:
    rows = [cur_row(day=f"2024-01-0{d}", cost=f"{d}.10", resource=f"i-{d}") for d in range(1, 5)]
    return write_csv(tmp_path / "jan.csv", rows)


@pytest.fixture
def february(tmp_path: Path) -> Path:
    rows = [cur_row(period=FEBRUARY, day="2024-02-03", cost="7.00")]
    return write_csv(tmp_path / "feb.csv", rows)


@pytest.fixture
def imported(january: Path, february: Path) -> list[tuple]:
    for path in (january, february):
        run = billing_import_file(paths=[path], triggered_by="test")
        assert run.status == ImportStatus.SUCCEEDED, run.error
    return _snapshot()


def test_restatement_replaces_the_period_and_leaves_other_periods_alone(
    imported: list[tuple], tmp_path: Path
) -> None:
    restated = write_csv(tmp_path / "jan-v2.csv", [cur_row(cost="0.50"), cur_row(cost="0.25")])

    run = billing_import_file(paths=[restated], triggered_by="test")

    assert run.status == ImportStatus.SUCCEEDED
    assert _total(billing_period_start="2024-01-01") == Decimal("0.75")
    assert CostLineItem.objects.filter(billing_period_start="2024-01-01").count() == 2
    assert _total(billing_period_start="2024-02-01") == Decimal("7")


def test_second_import_of_the_same_file_changes_nothing(
    imported: list[tuple], january: Path
) -> None:
    before = [(row[1], row[2]) for row in imported]

    run = billing_import_file(paths=[january], triggered_by="test")

    assert run.status == ImportStatus.SUCCEEDED
    after = [(row[1], row[2]) for row in _snapshot()]
    assert sorted(after) == sorted(before)
    assert run.stored_totals == {
        "2024-01-01": {
            "USD": {"billed_cost": "10.4", "effective_cost": "10.4", "list_cost": "10.4", "rows": 4}
        }
    }


def test_other_sources_keep_their_rows_for_the_same_period(imported: list, january: Path) -> None:
    billing_import_file(paths=[january], source_name="other-payer", triggered_by="test")
    assert _total(source__name="default") == Decimal("17.4")
    assert _total(source__name="other-payer") == Decimal("10.4")


def test_crash_inside_the_swap_leaves_previous_data_visible(
    imported: list[tuple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    restated = write_csv(tmp_path / "jan-v2.csv", [cur_row(cost="99")])

    def crash(cur: object, run: BillingImport) -> None:
        raise RuntimeError("worker killed mid-swap")

    monkeypatch.setattr(service, "_insert_from_stage", crash)
    with pytest.raises(RuntimeError, match="mid-swap"):
        billing_import_file(paths=[restated], triggered_by="test")

    assert _snapshot() == imported
    failed = BillingImport.objects.latest("id")
    assert failed.status == ImportStatus.FAILED
    assert "mid-swap" in failed.error


def test_totals_mismatch_fails_the_run_and_rolls_back(
    imported: list[tuple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    restated = write_csv(tmp_path / "jan-v2.csv", [cur_row(cost="2"), cur_row(cost="3")])
    real_insert = service._insert_from_stage

    def lose_a_row(cur: object, run: BillingImport) -> None:
        real_insert(cur, run)
        cur.execute(
            "DELETE FROM billing_costlineitem WHERE import_run_id = %s AND source_row = 2", [run.pk]
        )

    monkeypatch.setattr(service, "_insert_from_stage", lose_a_row)
    run = billing_import_file(paths=[restated], triggered_by="test")

    assert run.status == ImportStatus.FAILED
    assert "stored totals differ" in run.error
    assert _snapshot() == imported


def test_running_an_import_twice_is_a_no_op(january: Path) -> None:
    run = billing_import_create(paths=[january], triggered_by="test")
    first = billing_import_run(import_id=run.pk)
    second = billing_import_run(import_id=run.pk)
    assert first.status == second.status == ImportStatus.SUCCEEDED
    assert CostLineItem.objects.count() == 4
    assert second.rows_done == second.rows_total == 4


def test_folder_import_records_every_files_checksum(january: Path, february: Path) -> None:
    run = billing_import_file(paths=[january, february], triggered_by="test")
    assert run.billing_periods == ["2024-01-01", "2024-02-01"]
    assert set(run.sha256) == {"jan.csv", "feb.csv"}
    assert CostLineItem.objects.count() == 5


def test_gzipped_cur_imports_like_the_plain_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cur.csv.gz", [cur_row(cost="0.000000000000000000000001")])
    run = billing_import_file(paths=[path], triggered_by="test")
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert _total() == Decimal("1E-24")
    item = CostLineItem.objects.get()
    assert item.tags == {"team": "search"}
    assert item.instance_type == "g5.xlarge"
    assert item.charge_date.isoformat() == "2024-01-05"


# --- bad input: the run fails, the message names file/row/column, earlier data is intact ---


def _fails(path: Path, imported: list[tuple], *fragments: str, file_format: str = "auto") -> None:
    run = billing_import_file(paths=[path], file_format=file_format, triggered_by="test")
    assert run.status == ImportStatus.FAILED
    assert run.error.startswith(path.name), run.error
    for fragment in fragments:
        assert fragment in run.error, run.error
    assert _snapshot() == imported


def test_unknown_format_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    path = tmp_path / "what.csv"
    path.write_text("date,amount\n2024-01-01,3\n")
    _fails(path, imported, "row 1", "unknown format")


def test_missing_required_column_is_named(imported: list[tuple], tmp_path: Path) -> None:
    columns = [c for c in CUR_COLUMNS if c != "lineItem/CurrencyCode"]
    path = write_csv(tmp_path / "nocur.csv", [cur_row()], columns)
    _fails(path, imported, "row 1", "line_item_currency_code")


def test_unparsable_cost_names_row_and_column(imported: list[tuple], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [cur_row(), cur_row(cost="1,25")])
    _fails(path, imported, "row 3", "'line_item_unblended_cost'", "not a number: '1,25'")


def test_unparsable_date_names_row_and_column(imported: list[tuple], tmp_path: Path) -> None:
    rows = [cur_row(), cur_row(), cur_row(day="2024-13-45")]
    path = write_csv(tmp_path / "baddate.csv", rows)
    _fails(path, imported, "row 4", "'line_item_usage_start_date'", "2024-13-45")


def test_naive_gcp_timestamp_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    path = tmp_path / "gcp.csv"
    path.write_text(
        "billing_account_id,cost,currency,usage_start_time,usage_end_time,invoice.month\n"
        "A,1.00,USD,2024-01-01 00:00:00,2024-01-01 01:00:00,202401\n"
    )
    _fails(path, imported, "row 2", "'usage_start_time'", "no UTC offset")


def test_invalid_focus_sample_hour_is_rejected_by_row() -> None:
    path = Path(
        "/work/shared/data/focus/spec-examples/commitment_discount_scenarios/"
        "commitment_discount_purchase_scenario_2.csv"
    )
    _fails(path, [], "row 4", "'ChargePeriodEnd'", "2023-02-01T30:00:00Z")


def test_mixed_currencies_without_currency_column_are_rejected(
    imported: list[tuple], tmp_path: Path
) -> None:
    path = tmp_path / "focus.csv"
    path.write_text(
        "BillingPeriodStart,ChargePeriodStart,BilledCost\n"
        "2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,$1.00\n"
        "2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,€2.00\n"
    )
    _fails(path, imported, "row 3", "'BilledCost'", "mixed currencies")


def test_empty_cost_in_a_required_column_is_rejected(imported: list, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "blank.csv", [cur_row(cost="")])
    _fails(path, imported, "row 2", "'line_item_unblended_cost'", "empty")


def test_empty_gzip_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    path = tmp_path / "empty.csv.gz"
    with gzip.open(path, "wb"):
        pass
    _fails(path, imported, "row 1", "empty")


def test_zero_byte_file_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    path.write_bytes(b"")
    _fails(path, imported, "row 1", "empty")


def test_header_only_file_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header.csv", [])
    _fails(path, imported, "row 2", "no line items")


def test_truncated_gzip_is_rejected(imported: list[tuple], tmp_path: Path) -> None:
    rows = [cur_row(day=f"2024-01-{1 + i % 28:02d}", resource=f"i-{i}") for i in range(3000)]
    whole = write_csv(tmp_path / "whole.csv.gz", rows)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _fails(path, imported, "truncated")


def test_forced_wrong_format_names_the_missing_columns(imported: list, january: Path) -> None:
    _fails(january, imported, "required column(s) missing for gcp", file_format="gcp")
