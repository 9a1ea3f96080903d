"""Small billing files written for tests (the public samples live in /work/shared/data)."""

import csv
import gzip
from pathlib import Path

CUR_COLUMNS = [
    "identity/LineItemId",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
    "pricing/publicOnDemandCost",
    "savingsPlan/SavingsPlanEffectiveCost",
    "product/region",
    "product/instanceType",
    "resourceTags/user:team",
]


def cur_row(
    *,
    period: str = "2024-01-01T00:00:00Z",
    day: str = "2024-01-05",
    cost: str = "1.25",
    account: str = "111122223333",
    payer: str = "999988887777",
    line_type: str = "Usage",
    currency: str = "USD",
    team: str = "search",
    resource: str = "i-0abc",
    sp_effective: str = "",
) -> dict[str, str]:
    return {
        "identity/LineItemId": f"li-{resource}-{day}",
        "bill/PayerAccountId": payer,
        "bill/BillingPeriodStartDate": period,
        "lineItem/UsageAccountId": account,
        "lineItem/LineItemType": line_type,
        "lineItem/UsageStartDate": f"{day}T00:00:00Z",
        "lineItem/UsageEndDate": f"{day}T01:00:00Z",
        "lineItem/ProductCode": "AmazonEC2",
        "lineItem/UsageType": "BoxUsage:g5.xlarge",
        "lineItem/ResourceId": resource,
        "lineItem/UsageAmount": "1",
        "lineItem/CurrencyCode": currency,
        "lineItem/UnblendedCost": cost,
        "pricing/publicOnDemandCost": cost,
        "savingsPlan/SavingsPlanEffectiveCost": sp_effective,
        "product/region": "us-east-1",
        "product/instanceType": "g5.xlarge",
        "resourceTags/user:team": team,
    }


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or CUR_COLUMNS
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
