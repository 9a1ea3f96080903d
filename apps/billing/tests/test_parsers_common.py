"""Reader plumbing: format detection, tag keys, FOCUS Parquet, money never through float."""

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from apps.billing.parsers.aws_cur import snake, tag_key
from apps.billing.parsers.common import decimal_sum
from apps.billing.parsers.detect import detect_format, open_reader
from apps.common.errors import InputFileError

AZURE = Path("/work/shared/data/focus/curanon-sample_focus_azure.csv")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["identity/LineItemId", "lineItem/UnblendedCost"], "cur"),
        (["line_item_unblended_cost", "bill_payer_account_id"], "cur2"),
        (["BilledCost", "ChargePeriodStart"], "focus"),
        (["billing_account_id", "cost", "usage_start_time"], "gcp"),
        (["date", "amount"], None),
    ],
)
def test_format_is_detected_from_the_header(header: list[str], expected: str | None) -> None:
    assert detect_format(header) == expected


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("resourceTags/user:team", "team"),
        ("resourceTags/aws:createdBy", "aws:createdBy"),
        ("resource_tags_user_cost_center", "cost_center"),
        ("resource_tags_aws_created_by", "aws:created_by"),
        ("lineItem/UnblendedCost", None),
    ],
)
def test_aws_tag_columns_map_to_one_key_convention(column: str, key: str | None) -> None:
    assert tag_key(column) == key


def test_legacy_cur_names_map_to_cur2_names() -> None:
    assert (
        snake("savingsPlan/SavingsPlanEffectiveCost") == "savings_plan_savings_plan_effective_cost"
    )
    assert snake("pricing/publicOnDemandCost") == "pricing_public_on_demand_cost"
    assert snake("bill/BillingPeriodStartDate") == "bill_billing_period_start_date"


def test_focus_parquet_with_typed_timestamps_reads_like_the_csv(tmp_path: Path) -> None:
    names = pacsv.read_csv(AZURE, read_options=pacsv.ReadOptions(block_size=1 << 24)).column_names
    table = pacsv.read_csv(
        AZURE, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    )
    for column in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart"):
        index = table.schema.get_field_index(column)
        stamps = pa.compute.strptime(table[column], format="%Y-%m-%dT%H:%MZ", unit="s")
        table = table.set_column(index, column, pa.compute.assume_timezone(stamps, "UTC"))
    path = tmp_path / "focus.parquet"
    pq.write_table(table, path)

    file_format, batches = open_reader(
        path, name=path.name, file_format="auto", default_currency="USD"
    )
    total = sum((decimal_sum(b.column("billed_cost")) for b in batches), Decimal(0))

    assert file_format == "focus"
    assert total == Decimal("193.80768904891416699989999")


def test_money_with_more_than_24_decimal_places_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "BillingPeriodStart,ChargePeriodStart,BilledCost,BillingCurrency\n"
        "2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,0.0000000000000000000000001,USD\n"
    )
    _, batches = open_reader(path, name="f.csv", file_format="auto", default_currency="USD")
    with pytest.raises(InputFileError, match=r"row 2, column 'BilledCost'.*24 decimal places"):
        list(batches)
