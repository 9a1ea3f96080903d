"""Write importer results into the price book by natural key (shared by the importers)."""

import csv
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from django.db import transaction

from apps.catalog.models import PriceBookEntry
from apps.catalog.parsers.prices import ImportedPrice
from apps.catalog.services.price_book_seed import DEFAULT_TABLE
from apps.common.errors import ValidationFailed
from apps.common.money import MONEY_DECIMAL_PLACES, STORAGE_QUANTUM

_KEY = ("provider", "instance_type", "region")
_MONEY = ("on_demand_hourly", "spot_hourly", "commit_1y_hourly", "commit_3y_hourly")


@dataclass(frozen=True)
class PriceImportResult:
    """What one import did. ``not_found``: requested "instance_type region" pairs not priced."""

    created: int
    updated: int
    unchanged: int
    not_found: tuple[str, ...] = ()


@transaction.atomic
def price_book_entries_upsert(
    *, prices: list[ImportedPrice], not_found: tuple[str, ...] = ()
) -> PriceImportResult:
    """Upsert ``prices`` by (provider, instance_type, region) in one transaction.

    Every field of an imported row is replaced (a spot price the source lacks becomes NULL
    rather than keeping a figure under the wrong ``source``). A row whose values are already
    equal is not written, so re-importing the same data the same day changes nothing.
    """
    created = updated = unchanged = 0
    for price in prices:
        values = asdict(price)
        key = {field: values.pop(field) for field in _KEY}
        for field in _MONEY:
            value = values[field]
            if value is not None and value != value.quantize(STORAGE_QUANTUM):
                # Stored rounded, it would differ from the source on every re-import.
                raise ValidationFailed(
                    f"{price.provider} {price.instance_type} {price.region}: {field} {value} "
                    f"has more than {MONEY_DECIMAL_PLACES} decimal places"
                )
        existing = PriceBookEntry.objects.select_for_update().filter(**key).first()
        if existing is None:
            # ON CONFLICT: a concurrent import may have inserted the key since the read above.
            PriceBookEntry.objects.bulk_create(
                [PriceBookEntry(**key, **values)],
                update_conflicts=True,
                unique_fields=list(_KEY),
                update_fields=list(values),
            )
            created += 1
        elif any(getattr(existing, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(existing, field, value)
            existing.save()
            updated += 1
        else:
            unchanged += 1
    return PriceImportResult(
        created=created, updated=updated, unchanged=unchanged, not_found=not_found
    )


def price_import_targets(*, provider: str) -> list[str]:
    """Instance types to import when none are named: the default table's and the book's."""
    with DEFAULT_TABLE.open(newline="") as fh:
        default_table = [
            r["instance_type"] for r in csv.DictReader(fh) if r["provider"] == provider
        ]
    in_book = PriceBookEntry.objects.filter(provider=provider).values_list(
        "instance_type", flat=True
    )
    return sorted(set(default_table) | set(in_book))


def utc_date(now: datetime) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).date()
