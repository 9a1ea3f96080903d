"""Running counts of an import: totals per (period, currency) and rows staged so far."""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa

from apps.billing.models import BillingImport

METRICS = ("billed_cost", "effective_cost", "list_cost")
PROGRESS_EVERY_S = 1.0  # rows_done updates: each one is a commit, so not per batch


@dataclass
class Totals:
    """Running sums per (period, currency): ``{(period, currency): {metric: Decimal, rows: n}}``."""

    sums: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))

    def add_batch(self, batch: pa.RecordBatch) -> None:
        grouped = (
            pa.Table.from_batches([batch])
            .group_by(["billing_period_start", "billing_currency"])
            .aggregate([*((m, "sum") for m in METRICS), ("billed_cost", "count")])
        )
        for row in grouped.to_pylist():
            key = (row["billing_period_start"], row["billing_currency"])
            for metric in METRICS:
                self.sums[key][metric] += row[f"{metric}_sum"]
            self.sums[key]["rows"] += row["billed_cost_count"]

    def as_json(self) -> dict:
        result: dict = {}
        for (period, currency), sums in sorted(self.sums.items()):
            result.setdefault(period.isoformat(), {})[currency] = {
                **{metric: decimal_text(sums[metric]) for metric in METRICS},
                "rows": int(sums["rows"]),
            }
        return result


def decimal_text(value: Decimal) -> str:
    """Exact, plain notation, no trailing zeros: ``Decimal('30.000')`` -> ``"30"``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


class Progress:
    """Rows staged so far; ``rows_done`` is written at most every ``PROGRESS_EVERY_S`` (each
    update is a commit, so not per batch)."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.rows = 0
        self.reported_at = time.monotonic()

    def add(self, rows: int) -> None:
        self.rows += rows
        if time.monotonic() - self.reported_at >= PROGRESS_EVERY_S:
            BillingImport.objects.filter(pk=self.import_id).update(rows_done=self.rows)
            self.reported_at = time.monotonic()
