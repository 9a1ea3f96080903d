"""Shared shapes for price-book importers: one priced row, and the error for bad source data."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.common.errors import ValidationFailed


class PriceDataMalformed(ValidationFailed):
    """A provider response lacks a field or holds a value that cannot be a price.

    The message names the product or SKU and the field, so the bad record can be found in the
    provider's catalogue. Importers raise it before writing anything.
    """

    def __init__(self, *, record: str, field: str, problem: str) -> None:
        super().__init__(
            f"{record}: field {field!r}: {problem}",
            details={"record": record, "field": field, "problem": problem},
        )
        self.record, self.field, self.problem = record, field, problem


@dataclass(frozen=True)
class ImportedPrice:
    """Hourly prices of one instance type in one region, as an importer found them (USD)."""

    provider: str
    instance_type: str
    region: str
    gpu_model: str
    gpus_per_instance: int
    gpu_memory_gb: int
    supports_fp8: bool
    on_demand_hourly: Decimal
    spot_hourly: Decimal | None
    commit_1y_hourly: Decimal | None
    commit_3y_hourly: Decimal | None
    source: str
    source_date: date
    currency: str = "USD"


def median(values: list[Decimal]) -> Decimal:
    """Exact Decimal median; an even count averages the two middle values (no rounding)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
