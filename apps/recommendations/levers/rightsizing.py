"""Right-sizing: persistently low utilization -> fewer replicas or a smaller instance.

GPUs needed = replicas x GPUs per replica x utilization / target utilization. Option A keeps the
instance type: max(1, ceil(GPUs needed / GPUs per replica)) replicas. Option B (a replica is a
whole instance) uses an instance of the same GPU model with fewer GPUs that still holds the
model: max(1, ceil(GPUs needed / its GPUs)) of them at its price-book price. The cheaper wins.
"""

from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import EndpointProfile, Projection, ceil, fmt, gpus_needed

LEVER = Lever.RIGHT_SIZING


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    utilization = profile.utilization
    replicas = profile.replicas
    price = profile.price
    if utilization is None or replicas is None or price is None:
        return None
    if utilization > factors.get("rightsizing.max_utilization"):
        return None
    target = factors.get("rightsizing.target_utilization", variant)
    gpus = profile.accelerator_count
    gpus_total_needed = replicas * gpus * utilization / target
    keep = max(1, ceil(gpus_total_needed / gpus))
    best = (
        profile.monthly_cost * Decimal(keep) / replicas,
        f"{keep} replica(s) of {gpus} x {price.gpu_model}",
    )
    if gpus == price.gpus_per_instance:
        model_gpus = gpus_needed(
            parameters=profile.parameter_count,
            precision=profile.precision,
            gpu_memory_gb=price.gpu_memory_gb,
            headroom=factors.get("quantization.memory_headroom", variant),
            usable=factors.get("quantization.usable_memory_share", variant),
        )
        for option in profile.catalog:
            if option.gpu_model != price.gpu_model or option.gpus_per_instance >= gpus:
                continue
            if option.gpus_per_instance < model_gpus:
                continue
            count = max(1, ceil(gpus_total_needed / option.gpus_per_instance))
            cost = (
                profile.monthly_cost
                * count
                * option.on_demand_hourly
                / (replicas * price.on_demand_hourly)
            )
            if cost < best[0]:
                best = (cost, f"{count} x {option.instance_type}")
    cost_after, shape = best
    if cost_after >= profile.monthly_cost:
        return None
    return Projection(
        cost_after=cost_after,
        title=f"Right-size {profile.name} to {shape}",
        confidence=Confidence.MEDIUM,
        details={
            "utilization": fmt(utilization, 4),
            "replicas_today": fmt(replicas),
            "gpus_per_replica": gpus,
            "gpus_needed_at_target": fmt(gpus_total_needed, 3),
            "target_utilization": fmt(target, 2),
            "capacity_after": shape,
        },
        risks={
            "accuracy": "none",
            "latency": "less headroom for peaks; autoscaling must react in time",
            "interruption": "none",
        },
        prerequisites=["Autoscaling on queue depth or utilization, with a tested peak"],
        steps=[
            f"Scale to {shape}",
            "Watch p95 latency and queue time through a weekly peak",
        ],
    )
