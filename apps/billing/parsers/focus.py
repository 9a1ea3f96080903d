"""FOCUS 1.x exports (CSV or Parquet): already in the ledger's shape, read column for column.

FOCUS date-times are UTC (FOCUS: "all date/time values are in UTC"), so an offset-less value
is read as UTC. When ``BillingCurrency`` is absent (the FOCUS specification examples omit it),
the currency comes from a symbol in the money cells (``$10,000.00``) or else from the import's
default currency; several symbols in one file without a currency column is an error.
"""

import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from apps.billing.parsers.common import (
    Columns,
    constant,
    map_values,
    tags_json,
    to_ledger_batch,
)
from apps.billing.parsers.files import RawBatch

REQUIRED = ("BilledCost", "BillingPeriodStart", "ChargePeriodStart")
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# A spreadsheet-formatted amount: optional sign and currency symbol, thousands separators.
FORMATTED = r"^\s*-?[$€£¥]?\d{1,3}(,\d{3})*(\.\d+)?\s*$|^\s*-?[$€£¥]\d+(\.\d+)?\s*$"

PRICING_CATEGORY = {
    "Standard": "On-Demand",
    "On-Demand": "On-Demand",
    "Committed": "Commitment-Based",
    "Commitment-Based": "Commitment-Based",
    "Dynamic": "Dynamic",
    "Other": "Other",
    "": "Other",
}
CHARGE_CATEGORY = {value: value for value in ("Usage", "Purchase", "Tax", "Credit", "Adjustment")}


def required_columns(header: list[str]) -> list[str]:
    return [column for column in REQUIRED if column not in header]


def _plain_money(c: Columns) -> tuple[pa.RecordBatch, str | None]:
    """Strip currency symbols and thousands separators; return the symbol's currency."""
    batch = c.batch
    found: dict[str, tuple[int, str]] = {}
    for name in MONEY_COLUMNS:
        if not c.has(name) or not pa.types.is_string(batch.column(name).type):
            continue
        text = batch.column(name)
        formatted = pc.match_substring_regex(text, FORMATTED)
        for symbol in SYMBOLS:
            has_symbol = pc.and_(formatted, pc.match_substring(text, symbol))
            if pc.any(has_symbol).as_py() and symbol not in found:
                found[symbol] = (pc.index(has_symbol, True).as_py(), name)
        cleaned = pc.replace_substring_regex(text, r"[$€£¥,]", "")
        batch = batch.set_column(
            batch.schema.get_field_index(name), name, pc.if_else(formatted, cleaned, text)
        )
    if len(found) > 1 and not c.has("BillingCurrency"):
        index, column = sorted(found.values())[-1]
        raise c.error(
            f"mixed currencies ({', '.join(sorted(found))}) and no BillingCurrency column",
            index=index,
            column=column,
        )
    symbol = next(iter(found), None)
    return batch, (SYMBOLS[symbol] if symbol else None)


def normalize(raw: RawBatch, *, file: str, default_currency: str) -> pa.RecordBatch:
    probe = Columns(raw.batch, file=file, first_row=raw.first_row, assume_utc=True)
    batch, symbol_currency = _plain_money(probe)
    c = Columns(batch, file=file, first_row=raw.first_row, assume_utc=True, allow_us_dates=True)
    n = c.length
    billed = c.money("BilledCost")
    effective = c.money("EffectiveCost") if c.has("EffectiveCost") else billed
    start = c.instant("ChargePeriodStart")
    if c.has("BillingCurrency"):
        currency = c.required_text("BillingCurrency")
    else:
        currency = constant(symbol_currency or default_currency, n)
    provider = c.first_text("ProviderName", "ServiceProviderName", "InvoiceIssuerName")
    provider = pc.if_else(pc.equal(provider, ""), "FOCUS", provider)
    return to_ledger_batch(
        {
            "source_row": pa.array(range(raw.first_row, raw.first_row + n), pa.int64()),
            "provider": provider,
            "billing_account_id": c.text("BillingAccountId"),
            "sub_account_id": c.text("SubAccountId"),
            "billing_period_start": c.day("BillingPeriodStart"),
            "charge_period_start": start,
            "charge_period_end": c.instant("ChargePeriodEnd", default=start),
            "charge_category": map_values(
                c.text("ChargeCategory", "Usage"), CHARGE_CATEGORY, "Adjustment"
            ),
            "charge_class": c.text("ChargeClass"),
            "billed_cost": billed,
            "effective_cost": effective,
            "list_cost": c.money("ListCost") if c.has("ListCost") else billed,
            "contracted_cost": c.decimal("ContractedCost", required=False),
            "billing_currency": currency,
            "pricing_category": map_values(c.text("PricingCategory"), PRICING_CATEGORY, "Other"),
            "pricing_quantity": c.quantity("PricingQuantity"),
            "pricing_unit": c.text("PricingUnit"),
            "consumed_quantity": c.quantity("ConsumedQuantity"),
            "consumed_unit": c.text("ConsumedUnit"),
            "service_name": c.text("ServiceName"),
            "service_category": c.text("ServiceCategory"),
            "sku_id": c.text("SkuId"),
            "resource_id": c.text("ResourceId"),
            "resource_name": c.text("ResourceName"),
            "resource_type": c.text("ResourceType"),
            "region": c.first_text("RegionId", "Region", "RegionName"),
            "instance_type": c.first_text("x_InstanceType", "x_SkuInstanceType"),
            "commitment_discount_id": c.text("CommitmentDiscountId"),
            "tags": _tags(c),
        }
    )


def _tags(c: Columns) -> pa.Array:
    """FOCUS ``Tags`` is a JSON object already; empty cells become ``{}``."""
    if not c.has("Tags"):
        return tags_json([{}] * c.length)
    rows = []
    for index, cell in enumerate(c.text("Tags").to_pylist()):
        if not cell or cell.lower() == "null":
            rows.append({})
            continue
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise c.error("Tags is not a JSON object", index=index, column="Tags") from exc
        if not isinstance(value, dict):
            raise c.error("Tags is not a JSON object", index=index, column="Tags")
        rows.append({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()})
    return tags_json(rows)


def read(
    batches: Iterator[RawBatch], *, file: str, default_currency: str
) -> Iterator[pa.RecordBatch]:
    for raw in batches:
        yield normalize(raw, file=file, default_currency=default_currency)
