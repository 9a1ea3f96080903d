"""AWS Cost and Usage Report: legacy CUR (``lineItem/UnblendedCost``) and CUR 2.0 / snake case
(``line_item_unblended_cost``), CSV, CSV.gz or Parquet, normalised to the FOCUS-shaped ledger.

Amortisation (effective cost), following AWS's own FOCUS mapping:
- ``SavingsPlanCoveredUsage``: ``savingsPlan/SavingsPlanEffectiveCost``;
- ``DiscountedUsage`` (reserved instances): ``reservation/EffectiveCost``;
- ``SavingsPlanNegation`` and ``SavingsPlanUpfrontFee``: 0 (the covered usage carries the cost);
- ``SavingsPlanRecurringFee``: the unused commitment, ``TotalCommitmentToDate - UsedCommitment``;
- ``RIFee``: the unused part, ``UnusedAmortizedUpfrontFeeForBillingPeriod + UnusedRecurringFee``;
- ``Fee`` for a reservation purchase (a reservation ARN is set): 0 (amortised into usage);
- everything else: the unblended cost.
Billed cost is always ``lineItem/UnblendedCost``. CUR timestamps without an offset are UTC
(AWS CUR data dictionary: "all times are in UTC").
"""

import json
import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from apps.billing.parsers.common import (
    MONEY,
    ZERO,
    Columns,
    constant,
    map_values,
    money_add,
    money_subtract,
    tags_json,
    to_ledger_batch,
)
from apps.billing.parsers.files import RawBatch

REQUIRED = (
    "line_item_unblended_cost",
    "line_item_currency_code",
    "line_item_usage_start_date",
    "bill_billing_period_start_date",
)

CHARGE_CATEGORY = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Credit",
    "BundledDiscount": "Credit",
    "Discount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "SppDiscount": "Credit",
    "DistributorDiscount": "Credit",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
}

SERVICE_CATEGORY = {
    "AmazonEC2": "Compute",
    "AWSLambda": "Compute",
    "AmazonECS": "Compute",
    "AmazonEKS": "Compute",
    "AmazonS3": "Storage",
    "AmazonEFS": "Storage",
    "AmazonRDS": "Databases",
    "AmazonDynamoDB": "Databases",
    "AmazonBedrock": "AI and Machine Learning",
    "AmazonSageMaker": "AI and Machine Learning",
    "AWSDataTransfer": "Networking",
    "AmazonCloudFront": "Networking",
    "AmazonVPC": "Networking",
    "AWSCloudTrail": "Management and Governance",
    "AmazonCloudWatch": "Management and Governance",
    "AWSGlue": "Analytics",
    "AmazonAthena": "Analytics",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(name: str) -> str:
    """``lineItem/UnblendedCost`` -> ``line_item_unblended_cost`` (the CUR 2.0 spelling)."""
    return "_".join(_CAMEL.sub("_", part).lower() for part in name.split("/"))


def tag_key(column: str) -> str | None:
    """The ledger tag key of a tag column, or None when the column is not a tag.

    ``resourceTags/user:team`` -> ``team``; ``resourceTags/aws:createdBy`` -> ``aws:createdBy``;
    snake-case exports lose the colon: ``resource_tags_user_team`` -> ``team``,
    ``resource_tags_aws_created_by`` -> ``aws:created_by``.
    """
    if column.startswith("resourceTags/"):
        key = column.removeprefix("resourceTags/")
        return key.removeprefix("user:")
    if column.startswith("resource_tags_"):
        key = column.removeprefix("resource_tags_")
        if key.startswith("user_"):
            return key.removeprefix("user_")
        if key.startswith("aws_"):
            return "aws:" + key.removeprefix("aws_")
        return key
    return None


def required_columns(header: list[str]) -> list[str]:
    names = {snake(column) for column in header}
    return [column for column in REQUIRED if column not in names]


def _cur2_tag_map(value: object) -> dict[str, str]:
    """CUR 2.0 ``resource_tags``: a JSON object (CSV) or a map (Parquet)."""
    if value is None or value == "":
        return {}
    pairs = json.loads(value).items() if isinstance(value, str) else value
    tags = {}
    for key, tag in pairs:
        if tag in (None, ""):
            continue
        tags[key.removeprefix("user_")] = str(tag)
    return tags


def _tags(raw: pa.RecordBatch, tag_columns: dict[str, str]) -> pa.Array:
    per_column = [
        (key, raw.column(column).to_pylist()) for column, key in tag_columns.items() if key
    ]
    cur2 = raw.column("resource_tags").to_pylist() if "resource_tags" in raw.schema.names else None
    rows = []
    for index in range(raw.num_rows):
        tags = _cur2_tag_map(cur2[index]) if cur2 is not None else {}
        for key, values in per_column:
            value = values[index]
            if value not in (None, ""):
                tags[key] = str(value).strip()
        rows.append(tags)
    return tags_json(rows)


def _is(values: pa.Array, *names: str) -> pa.Array:
    return pc.is_in(values, value_set=pa.array(names))


def normalize(raw: RawBatch, *, file: str) -> pa.RecordBatch:
    renamed = raw.batch.rename_columns([snake(name) for name in raw.batch.schema.names])
    tag_columns = {snake(name): tag_key(name) for name in raw.batch.schema.names if tag_key(name)}
    c = Columns(renamed, file=file, first_row=raw.first_row, assume_utc=True)
    n = c.length

    line_type = c.text("line_item_line_item_type", "Usage")
    billed = c.money("line_item_unblended_cost")
    sp_effective = c.money("savings_plan_savings_plan_effective_cost", required=False)
    ri_effective = c.money("reservation_effective_cost", required=False)
    sp_unused = money_subtract(
        c.money("savings_plan_total_commitment_to_date", required=False),
        c.money("savings_plan_used_commitment", required=False),
    )
    ri_unused = money_add(
        c.money("reservation_unused_amortized_upfront_fee_for_billing_period", required=False),
        c.money("reservation_unused_recurring_fee", required=False),
    )
    reservation_arn = c.first_text("reservation_reservation_arn", "reservation_reservation_a_r_n")
    is_ri_purchase = pc.and_(_is(line_type, "Fee"), pc.not_equal(reservation_arn, ""))
    effective = pc.if_else(
        _is(line_type, "SavingsPlanCoveredUsage"),
        sp_effective,
        pc.if_else(
            _is(line_type, "DiscountedUsage"),
            ri_effective,
            pc.if_else(
                _is(line_type, "SavingsPlanNegation", "SavingsPlanUpfrontFee"),
                ZERO,
                pc.if_else(
                    _is(line_type, "SavingsPlanRecurringFee"),
                    sp_unused,
                    pc.if_else(
                        _is(line_type, "RIFee"),
                        ri_unused,
                        pc.if_else(is_ri_purchase, ZERO, billed),
                    ),
                ),
            ),
        ),
    )
    list_cost = (
        c.money("pricing_public_on_demand_cost", required=False)
        if c.has("pricing_public_on_demand_cost")
        else billed
    )
    charge_category = map_values(line_type, CHARGE_CATEGORY, "Adjustment")
    usage_type = c.text("line_item_usage_type")
    is_commitment = _is(line_type, "DiscountedUsage", "SavingsPlanCoveredUsage")
    is_spot = pc.match_substring(usage_type, "SpotUsage")
    pricing_category = pc.if_else(
        is_commitment,
        "Commitment-Based",
        pc.if_else(
            pc.equal(charge_category, "Usage"),
            pc.if_else(is_spot, "Dynamic", "On-Demand"),
            "Other",
        ),
    )
    start = c.instant("line_item_usage_start_date")
    product_code = c.text("line_item_product_code")
    usage_amount = c.quantity("line_item_usage_amount")
    commitment_id = pc.if_else(
        _is(line_type, "SavingsPlanCoveredUsage", "SavingsPlanRecurringFee", "SavingsPlanNegation"),
        c.first_text("savings_plan_savings_plan_arn", "savings_plan_savings_plan_a_r_n"),
        pc.if_else(_is(line_type, "DiscountedUsage", "RIFee"), reservation_arn, ""),
    )
    return to_ledger_batch(
        {
            "source_row": pa.array(range(raw.first_row, raw.first_row + n), pa.int64()),
            "provider": constant("AWS", n),
            "billing_account_id": c.text("bill_payer_account_id"),
            "sub_account_id": c.text("line_item_usage_account_id"),
            "billing_period_start": c.day("bill_billing_period_start_date"),
            "charge_period_start": start,
            "charge_period_end": c.instant("line_item_usage_end_date", default=start),
            "charge_category": charge_category,
            "charge_class": constant("", n),
            "billed_cost": billed,
            "effective_cost": effective,
            "list_cost": list_cost,
            "contracted_cost": pa.nulls(n, MONEY),
            "billing_currency": c.required_text("line_item_currency_code"),
            "pricing_category": pricing_category,
            "pricing_quantity": usage_amount,
            "pricing_unit": c.text("pricing_unit"),
            "consumed_quantity": usage_amount,
            "consumed_unit": c.text("pricing_unit"),
            "service_name": c.first_text("product_product_name", "line_item_product_code"),
            "service_category": map_values(product_code, SERVICE_CATEGORY, "Other"),
            "sku_id": c.text("product_sku"),
            "resource_id": c.text("line_item_resource_id"),
            "resource_name": constant("", n),
            "resource_type": c.text("product_product_family"),
            "region": c.first_text("product_region_code", "product_region"),
            "instance_type": c.first_text("product_instance_type"),
            "commitment_discount_id": commitment_id,
            "tags": _tags(renamed, tag_columns),
        }
    )


def read(batches: Iterator[RawBatch], *, file: str) -> Iterator[pa.RecordBatch]:
    for raw in batches:
        yield normalize(raw, file=file)
