"""FinOps FOCUS 1.0 rows describing the same spend as the CUR (pure code, no ORM).

One FOCUS row per instance per day (the hourly CUR lines of an instance-day are summed; the rate
never changes inside a day), one per Savings Plan per day for its hourly fee, and one per other
CUR line.

- ``BilledCost`` is the sum of the CUR ``UnblendedCost`` it stands for, so per-period totals per
  currency match the CUR exactly. Covered usage bills 0 (usage and negation cancel); the plan's
  fee bills the commitment.
- ``EffectiveCost`` is the amortised cost: the billed cost, except covered usage (the plan rate,
  ``CommitmentDiscountId`` set, ``PricingCategory`` Committed) and the fee (its unused part).
  Its totals equal the billed totals too.
- ``ListCost`` is the CUR ``pricing/publicOnDemandCost``; ``ContractedCost`` is the effective cost
  of usage rows and the billed cost of the rest (no negotiated discount in the demo).
"""

import json
from dataclasses import replace
from decimal import Decimal

from apps.demo.generator.cur import Charge, iso, money_text, month_bounds
from apps.demo.generator.topology import PAYER_ACCOUNT, REGION

COLUMNS = (
    "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
    "ChargePeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
    "BilledCost", "EffectiveCost", "ListCost", "ListUnitPrice", "ContractedCost",
    "ContractedUnitPrice", "BillingCurrency", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ConsumedQuantity", "ConsumedUnit", "ServiceName", "ServiceCategory", "SkuId", "ResourceId",
    "ResourceName", "ResourceType", "RegionId", "SubAccountId", "CommitmentDiscountId",
    "ProviderName", "PublisherName", "InvoiceIssuerName", "Tags",
)  # fmt: skip
SERVICES = {
    "AmazonEC2": ("Amazon Elastic Compute Cloud", "Compute"),
    "AmazonS3": ("Amazon Simple Storage Service", "Storage"),
    "AWSDataTransfer": ("AWS Data Transfer", "Networking"),
    "AWSSupportBusiness": ("AWS Support (Business)", "Management and Governance"),
    "ComputeSavingsPlans": ("Savings Plans for AWS Compute usage", "Compute"),
}
CATEGORY = {
    "Usage": "Usage", "SavingsPlanCoveredUsage": "Usage", "SavingsPlanRecurringFee": "Purchase",
    "Fee": "Purchase", "Tax": "Tax",
}  # fmt: skip


def merge_instance_day(charges: list[Charge]) -> Charge:
    """Sum one resource's hourly charges of one day into one charge (same rate throughout).

    Savings Plan negation lines fold into their covered usage: the merged row bills zero and
    keeps the plan's effective cost.
    """
    first, last = charges[0], charges[-1]
    cost = sum((c.cost for c in charges), Decimal(0))
    public = sum((c.public_cost for c in charges), Decimal(0))
    effective = sum((c.effective for c in charges), Decimal(0))
    amount = sum((c.amount for c in charges if c.line_type != "SavingsPlanNegation"), Decimal(0))
    return replace(
        first, end=last.end, cost=cost, public_cost=public, amount=amount,
        effective_cost=effective if first.effective_cost is not None else None,
    )  # fmt: skip


def focus_row(charge: Charge, *, instance_name: str = "") -> list[str]:
    period_start, period_end = month_bounds(charge.start)
    service, service_category = SERVICES[charge.product_code]
    cost = money_text(charge.cost)
    effective = money_text(charge.effective)
    is_usage = CATEGORY[charge.line_type] == "Usage"
    if charge.term == "Spot":
        pricing_category = "Dynamic"
    elif is_usage and charge.commitment_arn:
        pricing_category = "Committed"
    elif is_usage:
        pricing_category = "Standard"
    else:
        pricing_category = ""
    tags = {k: v for k, v in sorted(charge.tags.items())}
    return [
        PAYER_ACCOUNT, iso(period_start), iso(period_end), iso(charge.start), iso(charge.end),
        CATEGORY[charge.line_type], "", charge.description,
        "Usage-Based" if is_usage else "Recurring", cost, effective,
        money_text(charge.public_cost), money_text(charge.public_rate) if is_usage else "",
        effective if is_usage else cost,
        money_text(charge.commitment_rate or charge.rate) if is_usage else "", charge.currency,
        pricing_category,
        money_text(charge.amount) if is_usage else "", charge.unit if is_usage else "",
        money_text(charge.amount) if is_usage else "", charge.unit if is_usage else "",
        service, service_category, charge.usage_type, charge.resource_id, instance_name,
        "Virtual Machine" if charge.kind == "instance" else "", REGION if is_usage else "",
        charge.account_id, charge.commitment_arn, "AWS", "AWS", "AWS",
        json.dumps(tags, separators=(",", ":")),
    ]  # fmt: skip
