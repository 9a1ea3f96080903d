"""Google Cloud billing export (standard or detailed usage cost), as BigQuery writes it to CSV,
JSON Lines or Parquet, normalised to the FOCUS-shaped ledger.

Billed cost is ``cost``; effective cost is ``cost`` plus every credit amount (credits are
negative): committed-use discounts, sustained-use discounts and promotions all arrive as
credits. List cost is ``cost_at_list`` when exported, else ``cost``. ``labels`` become tags
with their keys unchanged. Timestamps carry their offset in the export.
"""

import ast
import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc

from apps.billing.parsers.common import (
    MONEY,
    MONEY_SCALE,
    Columns,
    constant,
    map_values,
    money_add,
    tags_json,
    to_ledger_batch,
)
from apps.billing.parsers.files import RawBatch

REQUIRED = ("cost", "currency", "usage_start_time", "invoice.month")

CHARGE_CATEGORY = {
    "regular": "Usage",
    "tax": "Tax",
    "adjustment": "Adjustment",
    "rounding_error": "Adjustment",
}

SERVICE_CATEGORY = {
    "Compute Engine": "Compute",
    "Kubernetes Engine": "Compute",
    "Cloud Run": "Compute",
    "Cloud Storage": "Storage",
    "BigQuery": "Analytics",
    "Vertex AI": "AI and Machine Learning",
    "Cloud SQL": "Databases",
    "Networking": "Networking",
}


def required_columns(header: list[str]) -> list[str]:
    return [column for column in REQUIRED if column not in header]


def _records(text: object) -> list[dict]:
    """Credits and labels: JSON text, or the Python-literal text some exports contain."""
    if text in (None, "", "[]"):
        return []
    if isinstance(text, list):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Exports written through pandas print lists as Python literals ('…', None).
        return ast.literal_eval(text)


def _credits(c: Columns) -> pa.Array:
    if not c.has("credits"):
        return pa.array([Decimal(0)] * c.length, MONEY)
    totals = []
    for index, cell in enumerate(c.raw("credits").to_pylist()):
        try:
            amount = sum((Decimal(str(item["amount"])) for item in _records(cell)), Decimal(0))
        except (ValueError, SyntaxError, KeyError, TypeError, InvalidOperation) as exc:
            raise c.error(f"cannot read credits: {cell!r}", index=index, column="credits") from exc
        if -amount.as_tuple().exponent > MONEY_SCALE:
            amount = amount.quantize(Decimal(1).scaleb(-MONEY_SCALE))
        totals.append(amount)
    return pa.array(totals, MONEY)


def _labels(c: Columns) -> pa.Array:
    if not c.has("labels"):
        return tags_json([{}] * c.length)
    rows = []
    for index, cell in enumerate(c.raw("labels").to_pylist()):
        try:
            rows.append({item["key"]: str(item["value"]) for item in _records(cell)})
        except (ValueError, SyntaxError, KeyError, TypeError) as exc:
            raise c.error(f"cannot read labels: {cell!r}", index=index, column="labels") from exc
    return tags_json(rows)


def _invoice_month(c: Columns) -> pa.Array:
    text = c.required_text("invoice.month")
    bad = pc.invert(pc.match_substring_regex(text, r"^\d{6}$"))
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        raise c.error(
            f"not a YYYYMM month: {text[index].as_py()!r}", index=index, column="invoice.month"
        )
    iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 4), pc.utf8_slice_codeunits(text, 4, 6), "01", "-"
    )
    return pc.cast(pc.strptime(iso, format="%Y-%m-%d", unit="s"), pa.date32())


def normalize(raw: RawBatch, *, file: str) -> pa.RecordBatch:
    c = Columns(raw.batch, file=file, first_row=raw.first_row, assume_utc=False)
    n = c.length
    billed = c.money("cost")
    credits = _credits(c)
    effective = money_add(billed, credits)
    list_cost = c.money("cost_at_list", required=False) if c.has("cost_at_list") else billed
    cost_type = c.text("cost_type", "regular")
    charge_category = map_values(cost_type, CHARGE_CATEGORY, "Adjustment")
    has_credit = pc.not_equal(credits, pa.scalar(Decimal(0), MONEY))
    charge_category = pc.if_else(
        pc.and_(pc.equal(billed, pa.scalar(Decimal(0), MONEY)), has_credit),
        "Credit",
        charge_category,
    )
    start = c.instant("usage_start_time")
    service = c.text("service.description")
    return to_ledger_batch(
        {
            "source_row": pa.array(range(raw.first_row, raw.first_row + n), pa.int64()),
            "provider": constant("Google Cloud", n),
            "billing_account_id": c.text("billing_account_id"),
            "sub_account_id": c.text("project.id"),
            "billing_period_start": _invoice_month(c),
            "charge_period_start": start,
            "charge_period_end": c.instant("usage_end_time", default=start),
            "charge_category": charge_category,
            "charge_class": constant("", n),
            "billed_cost": billed,
            "effective_cost": effective,
            "list_cost": list_cost,
            "contracted_cost": pa.nulls(n, MONEY),
            "billing_currency": c.required_text("currency"),
            "pricing_category": pc.if_else(
                pc.equal(charge_category, "Usage"), "On-Demand", "Other"
            ),
            "pricing_quantity": c.quantity("usage.amount_in_pricing_units"),
            "pricing_unit": c.text("usage.pricing_unit"),
            "consumed_quantity": c.quantity("usage.amount"),
            "consumed_unit": c.text("usage.unit"),
            "service_name": service,
            "service_category": map_values(service, SERVICE_CATEGORY, "Other"),
            "sku_id": c.text("sku.id"),
            "resource_id": c.first_text("resource.global_name", "resource.name"),
            "resource_name": c.text("resource.name"),
            "resource_type": constant("", n),
            "region": c.first_text("location.region", "location.location"),
            "instance_type": constant("", n),
            "commitment_discount_id": constant("", n),
            "tags": _labels(c),
        }
    )


def read(batches: Iterator[RawBatch], *, file: str) -> Iterator[pa.RecordBatch]:
    for raw in batches:
        yield normalize(raw, file=file)
