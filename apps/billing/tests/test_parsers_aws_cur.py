"""AWS CUR amortisation: effective cost and charge category per line item type."""

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from apps.billing.parsers.detect import open_reader

COLUMNS = [
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/UsageType",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
    "savingsPlan/SavingsPlanARN",
    "reservation/EffectiveCost",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedRecurringFee",
    "reservation/ReservationARN",
]
SP = "arn:aws:savingsplans::1:savingsplan/sp-1"
RI = "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1"
# type, unblended, sp effective, sp total, sp used, ri effective, ri unused upfront, ri unused
# recurring, usage type -> (charge category, pricing category, effective cost, commitment id)
CASES = [
    ("Usage", "1.00", "", "", "", "", "", "", "BoxUsage", ("Usage", "On-Demand", "1.00", "")),
    ("Usage", "0.30", "", "", "", "", "", "", "SpotUsage:g5", ("Usage", "Dynamic", "0.30", "")),
    (
        "SavingsPlanCoveredUsage",
        "2.00",
        "1.40",
        "",
        "",
        "",
        "",
        "",
        "BoxUsage",
        ("Usage", "Commitment-Based", "1.40", SP),
    ),
    (
        "SavingsPlanNegation",
        "-2.00",
        "",
        "",
        "",
        "",
        "",
        "",
        "BoxUsage",
        ("Usage", "Commitment-Based", "0", SP),
    ),
    (
        "SavingsPlanRecurringFee",
        "10.00",
        "",
        "10.00",
        "7.25",
        "",
        "",
        "",
        "",
        ("Purchase", "Other", "2.75", SP),
    ),
    ("SavingsPlanUpfrontFee", "500", "", "", "", "", "", "", "", ("Purchase", "Other", "0", "")),
    (
        "DiscountedUsage",
        "0",
        "",
        "",
        "",
        "0.62",
        "",
        "",
        "BoxUsage",
        ("Usage", "Commitment-Based", "0.62", RI),
    ),
    ("RIFee", "30.00", "", "", "", "", "1.50", "0.25", "", ("Purchase", "Other", "1.75", RI)),
    ("Fee", "1000", "", "", "", "", "", "", "", ("Purchase", "Other", "0", "")),
    ("Tax", "0.80", "", "", "", "", "", "", "", ("Tax", "Other", "0.80", "")),
    ("Credit", "-5.00", "", "", "", "", "", "", "", ("Credit", "Other", "-5.00", "")),
]


@pytest.fixture
def parsed(tmp_path: Path) -> list[dict]:
    path = tmp_path / "cur.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for kind, cost, sp_eff, sp_total, sp_used, ri_eff, ri_up, ri_rec, usage, _ in CASES:
            sp_arn = (
                SP if kind.startswith("SavingsPlan") and kind != "SavingsPlanUpfrontFee" else ""
            )
            ri_arn = RI if kind in ("DiscountedUsage", "RIFee", "Fee") else ""
            writer.writerow(
                ["9", "2024-01-01T00:00:00Z", "1", kind, "2024-01-01T00:00:00Z",
                 "2024-01-01T01:00:00Z", usage, "USD", cost, sp_eff, sp_total, sp_used, sp_arn,
                 ri_eff, ri_up, ri_rec, ri_arn]
            )  # fmt: skip
    _, batches = open_reader(path, name="cur.csv", file_format="auto", default_currency="USD")
    return [row for batch in batches for row in batch.to_pylist()]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case[0] for case in CASES])
def test_each_line_item_type_gets_its_focus_category_and_amortised_cost(
    parsed: list[dict], index: int
) -> None:
    category, pricing, effective, commitment = CASES[index][-1]
    row = parsed[index]
    assert row["charge_category"] == category
    assert row["pricing_category"] == pricing
    assert row["effective_cost"] == Decimal(effective)
    assert row["billed_cost"] == Decimal(CASES[index][1])
    assert row["commitment_discount_id"] == commitment


def test_cur2_parquet_map_tags_drop_the_user_prefix(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "bill_billing_period_start_date": pa.array([date(2024, 1, 1)] * 2, pa.date32()),
            "line_item_usage_start_date": pa.array(
                [datetime(2024, 1, 2, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC")
            ),
            "line_item_line_item_type": ["Usage", "Usage"],
            "line_item_currency_code": ["USD", "USD"],
            "line_item_unblended_cost": [0.1, 0.2],
            "resource_tags": pa.array(
                [[("user_team", "search"), ("user_env", "")], []],
                pa.map_(pa.string(), pa.string()),
            ),
        }
    )
    path = tmp_path / "cur2.parquet"
    pq.write_table(table, path)
    _, batches = open_reader(path, name=path.name, file_format="auto", default_currency="USD")
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert [row["tags"] for row in rows] == ['{"team": "search"}', "{}"]
    assert [row["billed_cost"] for row in rows] == [Decimal("0.1"), Decimal("0.2")]
