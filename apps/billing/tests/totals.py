"""Independent totals of a sample file: the money column read as text, summed as Decimal.

Deliberately shares no code with the readers.
"""

import ast
import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

COLUMNS = {
    # format: (billed, effective or None, currency column or None)
    "cur": ("lineItem/UnblendedCost", None, "lineItem/CurrencyCode"),
    "cur2": ("line_item_unblended_cost", None, "line_item_currency_code"),
    "gcp": ("cost", None, "currency"),
    "focus": ("BilledCost", "EffectiveCost", "BillingCurrency"),
}


def _cell(text: str | float | int | None) -> Decimal:
    if text is None:
        return Decimal(0)
    if isinstance(text, float):
        return Decimal(repr(text))
    cleaned = str(text).strip().replace("$", "").replace(",", "")
    return Decimal(cleaned) if cleaned else Decimal(0)


def _rows(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def file_totals(path: Path, file_format: str) -> dict[str, dict[str, Decimal]]:
    """``{currency: {"billed_cost": …, "effective_cost": …}}`` computed from the raw file."""
    billed_col, effective_col, currency_col = COLUMNS[file_format]
    if file_format == "cur2" and path.suffix != ".parquet":
        with path.open() as handle:
            header = handle.readline()
        if "line_item_unblended_cost" not in header:
            billed_col, currency_col = "lineItem/UnblendedCost", "lineItem/CurrencyCode"
    totals: dict = defaultdict(lambda: defaultdict(Decimal))
    for row in _rows(path):
        currency = (row.get(currency_col) or "USD").strip() if currency_col else "USD"
        totals[currency]["billed_cost"] += _cell(row[billed_col])
        if effective_col and effective_col in row:
            totals[currency]["effective_cost"] += _cell(row[effective_col])
        if file_format == "gcp":
            credits = row.get("credits") or "[]"
            credit = sum((_cell(c["amount"]) for c in ast.literal_eval(credits)), Decimal(0))
            totals[currency]["effective_cost"] += _cell(row[billed_col]) + credit
    return {currency: dict(sums) for currency, sums in totals.items()}
