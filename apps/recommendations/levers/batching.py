"""Continuous batching: low utilization with small batches (low concurrency).

Mean batch size = latency x GPUs per replica / GPU time. Cost after = cost / throughput gain
(capacity shrinks with the work, at today's utilization), never below one replica.
"""

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, floor_one_replica, fmt

LEVER = Lever.BATCHING


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    utilization = profile.utilization
    batch = profile.mean_batch_size
    if utilization is None or batch is None:
        return None
    if utilization > factors.get("batching.max_utilization"):
        return None
    if batch > factors.get("batching.max_mean_batch"):
        return None
    gain = factors.get("batching.throughput_gain", variant)
    return Projection(
        cost_after=floor_one_replica(profile, profile.monthly_cost / gain),
        title=f"Enable continuous batching on {profile.name}",
        confidence=Confidence.LOW,
        details={
            "utilization": fmt(utilization, 4),
            "mean_batch_size": fmt(batch, 2),
            "throughput_gain": fmt(gain, 2),
            "replicas_today": None if profile.replicas is None else fmt(profile.replicas),
        },
        risks={
            "accuracy": "none",
            "latency": "time to first token can grow under load; set a maximum batch wait",
            "interruption": "none",
        },
        prerequisites=["A serving runtime with continuous (in-flight) batching"],
        steps=[
            "Switch the runtime to continuous batching with a bounded queue delay",
            "Load-test p95/p99 latency at today's peak",
            "Lower replicas as throughput per replica rises",
        ],
    )
