"""Commitments: the steady on-demand baseline (a low percentile of the endpoint's hourly
on-demand cost over the window) moves to a savings plan / committed use.

Savings = baseline x 720 h x (1 - commitment price / on-demand price), with the price book's
1-year price (pessimistic and point) or 3-year price (optimistic, when listed).
"""

from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import MONTH_HOURS, EndpointProfile, Projection, ceil, fmt

LEVER = Lever.COMMITMENT


def percentile(values: tuple[Decimal, ...], pct: Decimal) -> Decimal:
    """Nearest-rank percentile (the smallest value with at least pct% of values at or below)."""
    ordered = sorted(values)
    rank = max(1, ceil(pct * len(ordered) / 100))
    return ordered[rank - 1]


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    price = profile.price
    if profile.pricing_category != "on_demand" or price is None or not price.commit_1y_hourly:
        return None
    hours = profile.hourly_on_demand_cost
    observed = sum(1 for cost in hours if cost > 0)
    if observed < factors.get("commitment.min_days") * 24:
        return None
    pct = factors.get("commitment.baseline_percentile", variant)
    baseline = percentile(hours, pct)
    if baseline <= 0:
        return None
    term = "3y" if variant == "optimistic" and price.commit_3y_hourly else "1y"
    commit = price.commit_3y_hourly if term == "3y" else price.commit_1y_hourly
    discount = Decimal(1) - commit / price.on_demand_hourly
    savings = baseline * MONTH_HOURS * discount
    return Projection(
        cost_after=profile.monthly_cost - savings,
        title=f"Commit to {profile.name}'s steady baseline ({term} savings plan)",
        confidence=Confidence.HIGH,
        details={
            "hours_observed": len(hours),
            "hours_with_on_demand_cost": observed,
            "baseline_percentile": fmt(pct, 0),
            "baseline_hourly_on_demand_cost": fmt(baseline, 4),
            "term": term,
            "commitment_discount": fmt(discount, 4),
            "hourly_commitment": fmt(baseline * (1 - discount), 4),
        },
        risks={
            "accuracy": "none",
            "latency": "none",
            "interruption": f"none; the commitment is owed for its {term} term even if the "
            "endpoint shrinks",
        },
        prerequisites=[
            "The endpoint is expected to run at least at this baseline for the whole term",
            "Finance approval of the commitment",
        ],
        steps=[
            f"Buy a {term} compute savings plan / committed use of "
            f"{fmt(baseline * (1 - discount), 4)} {profile.currency}/hour",
            "Keep bursts above the baseline on demand (or spot)",
        ],
    )
