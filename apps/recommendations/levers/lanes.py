"""Priority lanes: an on-demand endpoint on a premium accelerator serving interactive traffic
together with nearline/batch traffic moves the non-interactive share (by GPU time) to spot
capacity, off-peak.

Cost after = max(cost - moved, one replica) + moved x spot/on-demand x (1 + interruption
overhead), where moved = cost x non-interactive share of GPU-seconds: a single replica cannot
shrink, so moving its batch traffic saves nothing.
"""

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import (
    NON_INTERACTIVE,
    EndpointProfile,
    Projection,
    floor_one_replica,
    fmt,
    spot_price_ratio,
)

LEVER = Lever.PRIORITY_LANES


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.pricing_category != "on_demand" or profile.price is None:
        return None
    gpu_hourly = profile.price.gpu_hourly("on_demand")
    if gpu_hourly < factors.get("lanes.premium_gpu_hourly"):
        return None
    moved_share = profile.lane_share(NON_INTERACTIVE)
    interactive = profile.lane_share(("interactive",))
    if moved_share < factors.get("lanes.min_noninteractive_share"):
        return None
    if interactive <= factors.get("spot.max_interactive_share"):
        return None  # all of it can move: the spot lever covers that
    ratio, price_from = spot_price_ratio(profile, factors, variant)
    overhead = factors.get("spot.interruption_overhead", variant)
    moved = profile.monthly_cost * moved_share
    return Projection(
        cost_after=floor_one_replica(profile, profile.monthly_cost - moved)
        + moved * ratio * (1 + overhead),
        title=f"Move {profile.name}'s nearline and batch traffic off {profile.accelerator_type} "
        "on-demand capacity",
        confidence=Confidence.MEDIUM,
        details={
            "non_interactive_share_of_gpu_time": fmt(moved_share, 4),
            "moved_monthly_cost": fmt(moved),
            "gpu_hourly_on_demand": fmt(gpu_hourly, 4),
            "spot_to_on_demand_price": fmt(ratio, 4),
            "price_from": price_from,
            "lanes": {
                lane: {"requests": u.requests, "gpu_seconds": fmt(u.gpu_seconds, 3)}
                for lane, u in sorted(profile.lanes.items())
            },
        },
        risks={
            "accuracy": "none (same model)",
            "latency": "nearline/batch results arrive later (queued for spot or off-peak)",
            "interruption": "the moved lanes run on spot and are retried when interrupted",
        },
        prerequisites=[
            "Requests carry their lane (interactive / nearline / batch)",
            "A queue in front of the nearline and batch lanes",
        ],
        steps=[
            "Route the nearline and batch lanes to a separate spot pool (large batches, "
            "off-peak when possible)",
            "Keep the premium on-demand replicas for interactive traffic only",
            "Reduce the on-demand replicas by the moved GPU time",
        ],
    )
