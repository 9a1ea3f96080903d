"""The recommendation engine: run every lever on an endpoint profile, and stack a plan.

Pure code (no ORM). Each lever runs three times (point, pessimistic, optimistic factors);
savings are clamped to [0, current cost]. A plan applies the chosen levers in stacking order,
each on the cost the previous ones left, so savings are never counted twice.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import VARIANTS, Factors
from apps.recommendations.levers import LEVER_MODULES
from apps.recommendations.levers.base import EndpointProfile, fmt, one_replica_monthly

STACK_ORDER = tuple(module.LEVER for module in LEVER_MODULES)
# A plan never combines these: scaling to zero replaces everything; spot replaces the lanes
# split and a commitment (committed capacity on spot makes no sense).
EXCLUDES = {
    Lever.SCALE_TO_ZERO: set(STACK_ORDER) - {Lever.SCALE_TO_ZERO},
    Lever.SPOT: {Lever.PRIORITY_LANES, Lever.COMMITMENT},
}
LOW_CONFIDENCE_DAYS = 14
# Levers that change the price of capacity rather than its amount: they may go below one
# replica's on-demand cost; the others stop there.
PRICING_LEVERS = {Lever.SPOT, Lever.COMMITMENT, Lever.PRIORITY_LANES}


@dataclass
class Proposal:
    lever: str
    title: str
    current_monthly_cost: Decimal
    projected_monthly_cost: Decimal
    savings_monthly: Decimal
    savings_low: Decimal
    savings_high: Decimal
    confidence: str
    risks: dict
    prerequisites: list[str]
    steps: list[str]
    evidence: dict = field(default_factory=dict)

    @property
    def cost_ratio(self) -> Decimal:
        """Projected / current cost (the lever's effect, reused when stacking)."""
        if self.current_monthly_cost <= 0:
            return Decimal(1)
        return self.projected_monthly_cost / self.current_monthly_cost


def clamp_savings(cost: Decimal, cost_after: Decimal) -> Decimal:
    """Savings are never negative and never more than the cost."""
    return min(max(cost - cost_after, Decimal(0)), max(cost, Decimal(0)))


def profile_evidence(profile: EndpointProfile) -> dict:
    utilization = profile.utilization
    return {
        "window": {
            "start": profile.window_start.isoformat(),
            "end": profile.window_end.isoformat(),
            "days_with_cost": profile.days_covered,
        },
        "endpoint": {
            "precision": profile.precision,
            "parameter_count": profile.parameter_count,
            "accelerator": f"{profile.accelerator_count} x {profile.accelerator_type}",
            "instance_type": profile.instance_type,
            "pricing_category": profile.pricing_category,
            "is_interruption_tolerant": profile.is_interruption_tolerant,
        },
        "cost": {
            "monthly_cost": fmt(profile.monthly_cost, 4),
            "monthly_idle_cost": fmt(profile.monthly_idle_cost, 4),
            "utilization": None if utilization is None else fmt(utilization, 4),
            "replicas": None if profile.replicas is None else fmt(profile.replicas),
            "one_replica_monthly": fmt(one_replica_monthly(profile), 4),
        },
        "usage": {
            "requests": profile.requests,
            "gpu_seconds": fmt(profile.gpu_seconds, 3),
            "duplicate_prompts": profile.duplicate_prompts,
            "active_hours": profile.active_hours,
            "window_hours": profile.window_hours,
        },
        "price": None if profile.price is None else profile.price.as_json(),
    }


def lever_assess(module: object, profile: EndpointProfile, factors: Factors) -> Proposal | None:
    """One lever on one endpoint, or None when it does not apply or saves too little."""
    factors.used.clear()
    cost = profile.monthly_cost
    point = module.project(profile, factors, "point")
    if point is None:
        return None
    savings = {"point": clamp_savings(cost, point.cost_after)}
    for variant in VARIANTS[1:]:
        other = module.project(profile, factors, variant)
        savings[variant] = Decimal(0) if other is None else clamp_savings(cost, other.cost_after)
    if savings["point"] < factors.get("engine.min_monthly_savings"):
        return None
    confidence = point.confidence
    if profile.days_covered < LOW_CONFIDENCE_DAYS:
        confidence = Confidence.LOW
    used = set(factors.used)
    return Proposal(
        lever=module.LEVER,
        title=point.title,
        current_monthly_cost=cost,
        projected_monthly_cost=cost - savings["point"],
        savings_monthly=savings["point"],
        savings_low=min(savings.values()),
        savings_high=max(savings.values()),
        confidence=confidence,
        risks=point.risks,
        prerequisites=point.prerequisites,
        steps=point.steps,
        evidence={
            **profile_evidence(profile),
            "lever": point.details,
            "factors": factors.evidence(used),
        },
    )


def endpoint_assess(profile: EndpointProfile, factors: Factors) -> list[Proposal]:
    """Every lever that applies to the endpoint, in stacking order."""
    if profile.days_covered < factors.get("engine.min_days") or profile.monthly_cost <= 0:
        return []
    proposals = []
    for module in LEVER_MODULES:
        proposal = lever_assess(module, profile, factors)
        if proposal is not None:
            proposals.append(proposal)
    return proposals


@dataclass(frozen=True)
class PlanStep:
    lever: str
    cost_before: Decimal
    savings: Decimal
    cost_after: Decimal


def plan_stack(
    cost: Decimal, ratios: dict[str, Decimal], floor: Decimal = Decimal(0)
) -> list[PlanStep]:
    """Apply levers (lever -> projected/current cost ratio) in stacking order on what remains.

    Excluded combinations: a lever that excludes others (``EXCLUDES``) removes them wherever
    they sit in the order; scale-to-zero comes first, so it wins over spot. Each step saves
    remaining x (1 - clamp(ratio, 0, 1)), except that capacity levers never take the remaining
    cost below ``floor`` (one replica). The steps' savings sum to at most ``cost``.
    """
    active = set(ratios)
    for lever in STACK_ORDER:
        if lever in active:
            active -= EXCLUDES.get(lever, set())
    steps: list[PlanStep] = []
    remaining = max(cost, Decimal(0))
    for lever in STACK_ORDER:
        if lever not in active:
            continue
        ratio = min(max(Decimal(ratios[lever]), Decimal(0)), Decimal(1))
        after = remaining * ratio
        if lever not in PRICING_LEVERS:
            after = max(after, min(floor, remaining))
        steps.append(PlanStep(lever, remaining, remaining - after, after))
        remaining = after
    return steps
