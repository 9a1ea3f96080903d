"""Spot pools: an on-demand endpoint whose traffic is nearline/batch (or that is marked
interruption-tolerant) moves to spot capacity.

Cost after = cost x (spot / on-demand price of its instance, from the price book) x
(1 + interruption overhead).
"""

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, fmt, spot_price_ratio

LEVER = Lever.SPOT


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.pricing_category != "on_demand" or profile.monthly_cost <= 0:
        return None
    interactive = profile.lane_share(("interactive",))
    tolerant = profile.is_interruption_tolerant or (
        profile.has_telemetry and interactive <= factors.get("spot.max_interactive_share")
    )
    if not tolerant:
        return None
    ratio, price_from = spot_price_ratio(profile, factors, variant)
    overhead = factors.get("spot.interruption_overhead", variant)
    return Projection(
        cost_after=profile.monthly_cost * ratio * (1 + overhead),
        title=f"Run {profile.name} on spot capacity",
        confidence=Confidence.HIGH if price_from == "price book" else Confidence.MEDIUM,
        details={
            "interactive_share_of_gpu_time": fmt(interactive, 4),
            "is_interruption_tolerant": profile.is_interruption_tolerant,
            "spot_to_on_demand_price": fmt(ratio, 4),
            "price_from": price_from,
            "interruption_overhead": fmt(overhead, 4),
        },
        risks={
            "accuracy": "none",
            "latency": "queued work waits while spot capacity is short",
            "interruption": "instances can be reclaimed at short notice; in-flight requests "
            f"are retried (overhead {fmt(overhead * 100, 0)}% of capacity)",
        },
        prerequisites=[
            "Clients retry interrupted requests (idempotent request ids)",
            "A spot pool with several instance types or zones to limit capacity shortages",
        ],
        steps=[
            f"Create a spot pool for {profile.instance_type or profile.accelerator_type}",
            "Route nearline and batch traffic to it with retries and checkpoints",
            "Drain the on-demand replicas; keep one on demand as fallback if required",
        ],
    )
