"""Seed the price book with the documented default table (docs/price-book.md)."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from apps.catalog.models import PriceBookEntry

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "data" / "price_book_default.csv"
DEFAULT_SOURCE = (
    "costgov default table: on-demand = provider list price (AWS us-east-1, GCP us-central1) "
    "recorded 2025-01; spot = 35% of list, 1y/3y commitment = 64%/40% of list (indicative)"
)
DEFAULT_SOURCE_DATE = date(2025, 1, 15)


@dataclass(frozen=True)
class SeedResult:
    created: int
    updated: int
    kept: int


def _optional(cell: str) -> Decimal | None:
    return Decimal(cell) if cell.strip() else None


@transaction.atomic
def price_book_seed(*, path: Path = DEFAULT_TABLE) -> SeedResult:
    """Upsert the default table by (provider, instance_type, region). Idempotent.

    Rows that an importer or an admin already replaced (``source`` other than the default) are
    kept as they are: a refreshed live price is never overwritten by the static default.
    """
    created = updated = kept = 0
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            key = {
                "provider": row["provider"],
                "instance_type": row["instance_type"],
                "region": row["region"],
            }
            values = {
                "gpu_model": row["gpu_model"],
                "gpus_per_instance": int(row["gpus_per_instance"]),
                "gpu_memory_gb": int(row["gpu_memory_gb"]),
                "supports_fp8": row["supports_fp8"].strip().lower() == "true",
                "currency": row["currency"],
                "on_demand_hourly": Decimal(row["on_demand_hourly"]),
                "spot_hourly": _optional(row["spot_hourly"]),
                "commit_1y_hourly": _optional(row["commit_1y_hourly"]),
                "commit_3y_hourly": _optional(row["commit_3y_hourly"]),
                "source": DEFAULT_SOURCE,
                "source_date": DEFAULT_SOURCE_DATE,
            }
            existing = PriceBookEntry.objects.select_for_update().filter(**key).first()
            if existing is None:
                PriceBookEntry.objects.create(**key, **values)
                created += 1
            elif existing.source == DEFAULT_SOURCE:
                for field, value in values.items():
                    setattr(existing, field, value)
                existing.save()
                updated += 1
            else:
                kept += 1
    return SeedResult(created=created, updated=updated, kept=kept)
