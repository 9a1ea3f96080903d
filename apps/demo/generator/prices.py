"""The catalog's default price book, read as plain rows (no ORM): hourly prices in Decimal."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

PRICE_BOOK_CSV = Path(__file__).resolve().parents[2] / "catalog" / "data" / "price_book_default.csv"


@dataclass(frozen=True)
class Price:
    """One instance type's hourly prices (per instance-hour, in ``currency``)."""

    provider: str
    instance_type: str
    region: str
    gpu_model: str
    gpus: int
    currency: str
    on_demand_hourly: Decimal
    spot_hourly: Decimal
    commit_1y_hourly: Decimal


@cache
def price_book(path: Path = PRICE_BOOK_CSV) -> dict[str, Price]:
    """AWS rows of the default price book by instance type."""
    rows: dict[str, Price] = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["provider"] != "aws":
                continue
            rows[row["instance_type"]] = Price(
                provider=row["provider"],
                instance_type=row["instance_type"],
                region=row["region"],
                gpu_model=row["gpu_model"],
                gpus=int(row["gpus_per_instance"]),
                currency=row["currency"],
                on_demand_hourly=Decimal(row["on_demand_hourly"]),
                spot_hourly=Decimal(row["spot_hourly"]),
                commit_1y_hourly=Decimal(row["commit_1y_hourly"]),
            )
    return rows
