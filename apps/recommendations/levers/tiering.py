"""Model tiering: route an assumed share of simple requests to a smaller model.

Cost after = max(cost x (1 - share), one replica) + cost x share x small-model cost ratio. The
share is an explicit assumption (``tiering.simple_share``), shown with the recommendation.
"""

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, floor_one_replica, fmt

LEVER = Lever.MODEL_TIERING


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.parameter_count < factors.get("tiering.min_parameters"):
        return None
    if profile.requests <= 0 or profile.monthly_cost <= 0:
        return None
    share = factors.get("tiering.simple_share", variant)
    ratio = factors.get("tiering.small_model_cost_ratio", variant)
    large = floor_one_replica(profile, profile.monthly_cost * (1 - share))
    return Projection(
        cost_after=large + profile.monthly_cost * share * ratio,
        title=f"Route simple requests of {profile.name} to a smaller model",
        confidence=Confidence.LOW,
        details={
            "parameters": profile.parameter_count,
            "assumed_simple_share": fmt(share, 4),
            "small_model_cost_ratio": fmt(ratio, 4),
        },
        risks={
            "accuracy": "routed requests get a smaller model (80-95% of the large model's "
            "quality, published); misrouted hard requests get worse answers",
            "latency": "lower for routed requests; a router adds a few ms",
            "interruption": "none",
        },
        prerequisites=[
            "A smaller (distilled) model that passes the evaluation set for simple requests",
            "A router that classifies requests, with a fallback to the large model",
        ],
        steps=[
            "Label a sample of traffic simple / hard and measure the real simple share",
            "Deploy the small model and the router in shadow mode, then route the simple share",
            "Reduce the large model's replicas by the routed GPU time",
        ],
    )
