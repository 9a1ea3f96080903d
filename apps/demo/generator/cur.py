"""AWS Cost and Usage Report lines (legacy CSV, real column names; pure code, no ORM).

A ``Charge`` is one CUR line. Instance-hours are ``Usage`` lines (spot pools use the ``SpotUsage``
usage type and the spot rate); shared costs are daily lines for data transfer, S3 and EBS, and
monthly ``Fee`` (support) and ``Tax`` lines written when the month closes. Every cost is written
as the exact decimal text of the value the totals are computed from, so summing the column with
``Decimal`` reproduces them to the last digit.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from apps.demo.generator.prices import Price
from apps.demo.generator.topology import PAYER_ACCOUNT, PLATFORM_ACCOUNT, REGION, Instance

Q10 = Decimal("1e-10")
CENT = Decimal("0.01")
TAG_KEYS = ("costgov:endpoint", "costgov:pool", "team", "env")
COLUMNS = (
    "identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/BillingEntity",
    "bill/BillType", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType",
    "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
    "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode",
    "lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/BlendedRate",
    "lineItem/BlendedCost", "lineItem/LineItemDescription", "lineItem/TaxType",
    "product/ProductName", "product/productFamily", "product/instanceType", "product/region",
    "pricing/publicOnDemandCost", "pricing/publicOnDemandRate", "pricing/term", "pricing/unit",
    "reservation/EffectiveCost", "savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanRate",
    "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
    *(f"resourceTags/user:{k}" for k in TAG_KEYS),
)  # fmt: skip
PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonS3": "Amazon Simple Storage Service",
    "AWSDataTransfer": "AWS Data Transfer",
    "AWSSupportBusiness": "AWS Support (Business)",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
}
# Shared-cost rates (USD): data transfer out per GB, S3 per GB-month, gp3 EBS per GB-month.
TRANSFER_PER_GB = Decimal("0.09")
S3_PER_GB_MONTH = Decimal("0.023")
EBS_PER_GB_MONTH = Decimal("0.08")
REGIONAL_PER_GB = Decimal("0.01")
REGIONAL_GB_PER_INSTANCE = 40  # cross-AZ traffic per instance-day (KV cache, logs, metrics)
S3_GB = 42_000
EBS_GB_PER_INSTANCE = 500
SUPPORT_RATE = Decimal("0.03")  # of the month's usage, at least SUPPORT_MINIMUM
SUPPORT_MINIMUM = Decimal(100)
TAX_RATE = Decimal("0.0625")  # of the month's usage and fees
NON_USAGE = frozenset({"Fee", "Tax", "SavingsPlanRecurringFee"})


@dataclass(frozen=True)
class Charge:
    line_type: str  # Usage | Fee | Tax
    start: datetime
    end: datetime
    account_id: str
    product_code: str
    usage_type: str
    operation: str
    resource_id: str
    amount: Decimal
    unit: str
    rate: Decimal
    cost: Decimal
    public_rate: Decimal
    public_cost: Decimal
    term: str
    description: str
    currency: str = "USD"
    instance_type: str = ""
    product_family: str = ""
    tags: dict[str, str] = field(default_factory=dict, hash=False)
    kind: str = ""  # truth category: instance | network | storage | support | tax | commitment
    # Savings Plans: the plan, its rate, and the amortised cost when it differs from ``cost``.
    commitment_arn: str = ""
    commitment_rate: Decimal | None = None
    effective_cost: Decimal | None = None

    @property
    def effective(self) -> Decimal:
        """The amortised cost: the plan rate for covered usage, unused commitment for its fee."""
        return self.cost if self.effective_cost is None else self.effective_cost


@lru_cache(maxsize=65536)  # rates and hourly costs repeat across millions of lines
def money_text(value: Decimal) -> str:
    """Decimal text with at most 10 places, no exponent, no trailing zeros."""
    text = format(value.quantize(Q10, rounding=ROUND_HALF_EVEN), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@lru_cache(maxsize=8192)  # the same hour boundaries appear on every instance's lines
def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def month_bounds(instant: datetime) -> tuple[datetime, datetime]:
    start = instant.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def instance_hour_charges(
    *, inst: Instance, price: Price, day_start: datetime, hours: range, rate_factor: Decimal
) -> list[Charge]:
    """One Usage line per billed hour. ``rate_factor`` applies to on-demand rates only."""
    spot = inst.pricing == "spot"
    rate = (
        price.spot_hourly
        if spot
        else (price.on_demand_hourly * rate_factor).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_EVEN
        )
    )
    public = price.on_demand_hourly
    usage_type = f"USE1-{'SpotUsage' if spot else 'BoxUsage'}:{inst.instance_type}"
    term = "Spot" if spot else "OnDemand"
    desc = (
        f"${money_text(rate)} per {'Spot' if spot else 'On Demand'} Linux "
        f"{inst.instance_type} Instance Hour"
    )
    out = []
    for h in hours:
        start = day_start + timedelta(hours=h)
        out.append(
            Charge(
                line_type="Usage",
                start=start,
                end=start + timedelta(hours=1),
                account_id=inst.account_id,
                product_code="AmazonEC2",
                usage_type=usage_type,
                operation="RunInstances" + (":SV050" if spot else ""),
                resource_id=inst.resource_id,
                amount=Decimal(1),
                unit="Hrs",
                rate=rate,
                cost=rate,
                public_rate=public,
                public_cost=public,
                term=term,
                description=desc,
                currency=price.currency,
                instance_type=inst.instance_type,
                product_family="Compute Instance",
                tags=inst.tags,
                kind="instance",
            )  # fmt: skip
        )
    return out


def _daily(
    *,
    day_start: datetime,
    product: str,
    usage_type: str,
    operation: str,
    resource: str,
    amount: Decimal,
    unit: str,
    rate: Decimal,
    desc: str,
    family: str,
    kind: str,
) -> Charge:
    cost = (amount * rate).quantize(Q10, rounding=ROUND_HALF_EVEN)
    return Charge(
        line_type="Usage", start=day_start, end=day_start + timedelta(days=1),
        account_id=PLATFORM_ACCOUNT, product_code=product, usage_type=usage_type,
        operation=operation, resource_id=resource, amount=amount, unit=unit, rate=rate,
        cost=cost, public_rate=rate, public_cost=cost, term="OnDemand", description=desc,
        product_family=family, tags={"team": "platform", "env": "prod"}, kind=kind,
    )  # fmt: skip


def shared_daily_charges(
    *, day_start: datetime, bytes_out: int, instance_count: int
) -> list[Charge]:
    """Data transfer out (the day's response bytes) and across zones (per instance), the S3
    model store and the EBS volumes (per instance)."""
    _, month_end = month_bounds(day_start)
    days_in_month = (month_end - month_bounds(day_start)[0]).days
    gb_out = (Decimal(bytes_out) / Decimal(10**9)).quantize(Decimal("0.000001"))
    s3_gb_month = (Decimal(S3_GB) / days_in_month).quantize(Q10)
    ebs_gb_month = (Decimal(EBS_GB_PER_INSTANCE * instance_count) / days_in_month).quantize(Q10)
    return [
        _daily(
            day_start=day_start, product="AWSDataTransfer",
            usage_type="USE1-DataTransfer-Out-Bytes", operation="RunInstances", resource="",
            amount=gb_out, unit="GB", rate=TRANSFER_PER_GB,
            desc="$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier",
            family="Data Transfer", kind="network",
        ),
        _daily(
            day_start=day_start, product="AWSDataTransfer",
            usage_type="USE1-DataTransfer-Regional-Bytes", operation="InterZone-Out",
            resource="", amount=Decimal(REGIONAL_GB_PER_INSTANCE * instance_count), unit="GB",
            rate=REGIONAL_PER_GB,
            desc="$0.01 per GB - regional data transfer - in/out/between EC2 AZs",
            family="Data Transfer", kind="network",
        ),
        _daily(
            day_start=day_start, product="AmazonS3", usage_type="USE1-TimedStorage-ByteHrs",
            operation="StandardStorage", resource="arn:aws:s3:::costgov-demo-model-store",
            amount=s3_gb_month, unit="GB-Mo", rate=S3_PER_GB_MONTH,
            desc="$0.023 per GB - first 50 TB / month of storage used", family="Storage",
            kind="storage",
        ),
        _daily(
            day_start=day_start, product="AmazonEC2", usage_type="USE1-EBS:VolumeUsage.gp3",
            operation="CreateVolume-Gp3", resource="", amount=ebs_gb_month, unit="GB-Mo",
            rate=EBS_PER_GB_MONTH,
            desc="$0.08 per GB-month of General Purpose (gp3) provisioned storage",
            family="Storage", kind="storage",
        ),
    ]  # fmt: skip


def monthly_charges(*, month_start: datetime, usage_total: Decimal) -> list[Charge]:
    """Support fee and tax of a closed month, both in cents (banker's rounding)."""
    _, month_end = month_bounds(month_start)
    support = max(SUPPORT_MINIMUM, usage_total * SUPPORT_RATE).quantize(CENT, ROUND_HALF_EVEN)
    tax = ((usage_total + support) * TAX_RATE).quantize(CENT, ROUND_HALF_EVEN)
    common = {
        "start": month_start, "end": month_end, "account_id": PAYER_ACCOUNT, "resource_id": "",
        "amount": Decimal(1), "unit": "", "term": "", "tags": {},
    }  # fmt: skip
    return [
        Charge(
            line_type="Fee", product_code="AWSSupportBusiness", usage_type="Dollar",
            operation="", rate=support, cost=support, public_rate=support, public_cost=support,
            description="AWS Support (Business)", kind="support", **common,
        ),  # type: ignore[arg-type]
        Charge(
            line_type="Tax", product_code="AmazonEC2", usage_type="", operation="",
            rate=tax, cost=tax, public_rate=tax, public_cost=tax,
            description="Tax for product code AmazonEC2", kind="tax", **common,
        ),  # type: ignore[arg-type]
    ]  # fmt: skip


def line_item_id(charge: Charge, ordinal: int) -> str:
    key = (
        f"{charge.line_type}|{iso(charge.start)}|{charge.resource_id}|{charge.usage_type}|{ordinal}"
    )
    return hashlib.blake2b(key.encode(), digest_size=26).hexdigest()[:52]


def cur_row(charge: Charge, ordinal: int) -> list[str]:
    """The CSV row of a charge, in ``COLUMNS`` order."""
    period_start, period_end = month_bounds(charge.start)
    cost = money_text(charge.cost)
    is_fee = charge.line_type == "SavingsPlanRecurringFee"
    return [
        line_item_id(charge, ordinal), f"{iso(charge.start)}/{iso(charge.end)}",
        f"DEMO-{period_start:%Y%m}", "AWS", "Anniversary", PAYER_ACCOUNT, iso(period_start),
        iso(period_end), charge.account_id, charge.line_type, iso(charge.start), iso(charge.end),
        charge.product_code, charge.usage_type, charge.operation,
        "us-east-1a" if charge.kind == "instance" else "", charge.resource_id,
        money_text(charge.amount), charge.currency, money_text(charge.rate), cost,
        money_text(charge.rate), cost, charge.description,
        "Sales Tax" if charge.line_type == "Tax" else "",
        PRODUCT_NAMES[charge.product_code], charge.product_family, charge.instance_type,
        "" if charge.line_type in NON_USAGE else REGION, money_text(charge.public_cost),
        money_text(charge.public_rate), charge.term, charge.unit, "", charge.commitment_arn,
        "" if charge.commitment_rate is None else money_text(charge.commitment_rate),
        money_text(charge.effective) if charge.commitment_arn else "",
        # CUR: a recurring-fee line's unused commitment is TotalCommitmentToDate - UsedCommitment.
        money_text(charge.cost) if is_fee else "",
        money_text(charge.cost - charge.effective) if is_fee else "",
        *(charge.tags.get(k, "") for k in TAG_KEYS),
    ]  # fmt: skip
