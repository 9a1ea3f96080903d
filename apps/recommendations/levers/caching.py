"""Response caching: the duplicate-prompt share of requests, times the share of those a cache
may serve, is taken off the endpoint's cost (never below one replica)."""

from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, floor_one_replica, fmt

LEVER = Lever.RESPONSE_CACHING


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.requests <= 0:
        return None
    duplicate_share = Decimal(profile.duplicate_prompts) / profile.requests
    if duplicate_share < factors.get("caching.min_duplicate_share"):
        return None
    servable = factors.get("caching.servable_share", variant)
    cached = duplicate_share * servable
    return Projection(
        cost_after=floor_one_replica(profile, profile.monthly_cost * (1 - cached)),
        title=f"Cache responses to repeated prompts on {profile.name}",
        confidence=Confidence.MEDIUM,
        details={
            "requests": profile.requests,
            "duplicate_prompts": profile.duplicate_prompts,
            "duplicate_share": fmt(duplicate_share, 4),
            "served_from_cache_share": fmt(cached, 4),
        },
        risks={
            "accuracy": "stale or non-personalised answers if the cache key misses context",
            "latency": "lower for cache hits",
            "interruption": "none",
        },
        prerequisites=[
            "Deterministic decoding (temperature 0) or acceptance of repeated answers",
            "A cache key covering prompt, model version and parameters; a TTL",
        ],
        steps=[
            "Put a response cache in front of the endpoint keyed by prompt hash",
            "Measure the hit rate for a week",
            "Reduce replicas by the traffic the cache absorbs",
        ],
    )
