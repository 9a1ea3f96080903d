"""A Compute Savings Plan over one endpoint's replicas, in CUR terms (pure code, no ORM).

The plan (1 year, no upfront) covers the base replicas of the dedicated on-demand endpoint with
the highest hourly price. Its hourly commitment is 110% of the covered replicas' plan rate, so
some commitment is always unused. Each covered instance-hour is written as in a real CUR:

- ``SavingsPlanCoveredUsage``: ``UnblendedCost`` = the on-demand cost,
  ``SavingsPlanEffectiveCost`` = the plan rate;
- ``SavingsPlanNegation``: ``UnblendedCost`` = minus the on-demand cost;
- one ``SavingsPlanRecurringFee`` line per hour: ``UnblendedCost`` = the commitment,
  ``SavingsPlanEffectiveCost`` = the part no covered usage used.

So the net unblended cost of covered usage is zero, the fee carries the money, and the sum of
effective costs equals the sum of unblended costs.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from apps.demo.generator.cur import Charge, money_text
from apps.demo.generator.prices import Price, price_book
from apps.demo.generator.topology import PAYER_ACCOUNT, Instance, Topology

HEADROOM = Decimal("1.1")
RATE_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class SavingsPlan:
    arn: str
    endpoint: str
    covered: frozenset[str]  # resource ids
    commitment_hourly: Decimal


def savings_plan_for(topo: Topology) -> SavingsPlan | None:
    prices = price_book()
    candidates = [
        e for e in topo.endpoints if e.hosting == "dedicated" and e.pricing_category == "on_demand"
    ]
    if not candidates:
        return None
    endpoint = max(candidates, key=lambda e: (prices[e.instance_type].on_demand_hourly, -e.index))
    covered = [i for i in topo.instances if i.owner == endpoint.name and i.is_routable]
    rate = sum((prices[i.instance_type].commit_1y_hourly for i in covered), Decimal(0))
    return SavingsPlan(
        arn=f"arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/"
        + hashlib.blake2b(f"{topo.seed}:{endpoint.name}".encode(), digest_size=16).hexdigest(),
        endpoint=endpoint.name,
        covered=frozenset(i.resource_id for i in covered),
        commitment_hourly=(rate * HEADROOM).quantize(RATE_QUANTUM, ROUND_HALF_EVEN),
    )


def covered_hour_charges(
    *,
    inst: Instance,
    price: Price,
    day_start: datetime,
    hours: range,
    rate_factor: Decimal,
    plan: SavingsPlan,
) -> list[Charge]:
    """A covered and a negation line per billed hour of a covered instance."""
    on_demand = (price.on_demand_hourly * rate_factor).quantize(RATE_QUANTUM, ROUND_HALF_EVEN)
    sp_rate = price.commit_1y_hourly
    usage_type = f"USE1-BoxUsage:{inst.instance_type}"
    out: list[Charge] = []
    for h in hours:
        start = day_start + timedelta(hours=h)
        common = {
            "start": start, "end": start + timedelta(hours=1), "account_id": inst.account_id,
            "product_code": "AmazonEC2", "usage_type": usage_type, "operation": "RunInstances",
            "resource_id": inst.resource_id, "amount": Decimal(1), "unit": "Hrs",
            "rate": on_demand, "public_rate": price.on_demand_hourly, "term": "OnDemand",
            "currency": price.currency, "instance_type": inst.instance_type,
            "product_family": "Compute Instance", "tags": inst.tags, "kind": "instance",
            "commitment_arn": plan.arn, "commitment_rate": sp_rate,
        }  # fmt: skip
        out.append(
            Charge(
                line_type="SavingsPlanCoveredUsage",
                cost=on_demand,
                public_cost=price.on_demand_hourly,
                effective_cost=sp_rate,
                description=f"{inst.instance_type} covered by Savings Plan {plan.arn}",
                **common,
            )  # type: ignore[arg-type]  # fmt: skip
        )
        out.append(
            Charge(
                line_type="SavingsPlanNegation",
                cost=-on_demand,
                public_cost=Decimal(0),
                effective_cost=Decimal(0),
                description=f"SavingsPlanNegation used by AccountId : {inst.account_id} and "
                f"UsageType : {usage_type}",
                **common,
            )  # type: ignore[arg-type]  # fmt: skip
        )
    return out


def fee_charges(
    *, plan: SavingsPlan, day_start: datetime, used_by_hour: dict[int, Decimal]
) -> list[Charge]:
    """The plan's 24 hourly recurring-fee lines of a day; effective cost = unused commitment."""
    out = []
    for h in range(24):
        start = day_start + timedelta(hours=h)
        unused = max(plan.commitment_hourly - used_by_hour.get(h, Decimal(0)), Decimal(0))
        out.append(
            Charge(
                line_type="SavingsPlanRecurringFee",
                start=start,
                end=start + timedelta(hours=1),
                account_id=PAYER_ACCOUNT,
                product_code="ComputeSavingsPlans",
                usage_type="ComputeSP:1yrNoUpfront",
                operation="",
                resource_id=plan.arn,
                amount=Decimal(1),
                unit="Hrs",
                rate=plan.commitment_hourly,
                cost=plan.commitment_hourly,
                public_rate=Decimal(0),
                public_cost=Decimal(0),
                term="",
                description=f"1 year No Upfront Compute Savings Plan, "
                f"${money_text(plan.commitment_hourly)} hourly commitment",
                kind="commitment",
                commitment_arn=plan.arn,
                commitment_rate=None,
                effective_cost=unused,
            )  # fmt: skip
        )
    return out
