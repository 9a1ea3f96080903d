"""Scale to zero: an endpoint that costs money but serves almost no traffic keeps capacity only
in the hours it is used. Cost after = cost x min(1, active hours / window hours + warm
overhead)."""

from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, fmt

LEVER = Lever.SCALE_TO_ZERO


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.monthly_cost <= 0 or profile.window_hours <= 0:
        return None
    if profile.requests_per_day >= factors.get("idle.max_requests_per_day"):
        return None
    active = Decimal(profile.active_hours) / profile.window_hours
    kept = min(Decimal(1), active + factors.get("idle.warm_overhead", variant))
    prerequisites = ["Clients tolerate a cold start (model load) on the first request"]
    if not profile.has_telemetry:
        prerequisites.insert(0, "Confirm no client uses it: the endpoint sends no telemetry")
    return Projection(
        cost_after=profile.monthly_cost * kept,
        title=f"Scale {profile.name} to zero when idle",
        confidence=Confidence.HIGH if profile.has_telemetry else Confidence.LOW,
        details={
            "requests_per_day": fmt(profile.requests_per_day, 2),
            "active_hours": profile.active_hours,
            "window_hours": profile.window_hours,
            "capacity_kept_share": fmt(kept, 4),
        },
        risks={
            "accuracy": "none",
            "latency": "cold start on the first request after idle time",
            "interruption": "none",
        },
        prerequisites=prerequisites,
        steps=[
            "Set the autoscaler minimum to zero replicas with an idle timeout",
            "Or retire the endpoint if its owner confirms it is unused",
        ],
    )
