"""Endpoint profiles with round prices, so every lever's figures can be computed by hand."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from apps.recommendations.factors import Factors, factors_resolve
from apps.recommendations.levers.base import EndpointProfile, LaneUsage, PriceInfo

G5_XL = PriceInfo(
    instance_type="g5.xlarge",
    gpu_model="A10G",
    gpus_per_instance=1,
    gpu_memory_gb=24,
    supports_fp8=False,
    on_demand_hourly=Decimal("1.0"),
    spot_hourly=Decimal("0.35"),
    commit_1y_hourly=Decimal("0.64"),
    commit_3y_hourly=Decimal("0.40"),
    source="test",
    source_date="2026-10-01",
)
G5_12XL = replace(
    G5_XL,
    instance_type="g5.12xlarge",
    gpus_per_instance=4,
    on_demand_hourly=Decimal("4.0"),
    spot_hourly=Decimal("1.4"),
    commit_1y_hourly=Decimal("2.56"),
    commit_3y_hourly=Decimal("1.6"),
)
G6_XL = replace(G5_XL, instance_type="g6.xlarge", gpu_model="L4", supports_fp8=True)
P4D = PriceInfo(
    instance_type="p4d.24xlarge",
    gpu_model="A100-40GB",
    gpus_per_instance=8,
    gpu_memory_gb=40,
    supports_fp8=False,
    on_demand_hourly=Decimal("32"),
    spot_hourly=Decimal("11.2"),
    commit_1y_hourly=Decimal("20.48"),
    commit_3y_hourly=Decimal("12.8"),
    source="test",
    source_date="2026-10-01",
)


def profile(**changes: object) -> EndpointProfile:
    """8B BF16 model, 2 replicas of 1 x A10G on demand (1.00/h): 1440/month, half idle;
    3000 interactive requests, 36,000 GPU-seconds, mean batch 2."""
    base = EndpointProfile(
        endpoint_id=1,
        name="ep",
        team_id=1,
        parameter_count=8_000_000_000,
        precision="bf16",
        accelerator_type="A10G",
        accelerator_count=1,
        instance_type="g5.xlarge",
        provider="aws",
        region="us-east-1",
        pricing_category="on_demand",
        is_interruption_tolerant=False,
        currency="USD",
        window_start=date(2026, 10, 1),
        window_end=date(2026, 10, 31),
        days_covered=30,
        monthly_cost=Decimal("1440"),
        monthly_idle_cost=Decimal("720"),
        lanes={"interactive": LaneUsage(requests=3000, gpu_seconds=Decimal("36000"))},
        latency_ms_sum=72_000_000,
        duplicate_prompts=0,
        active_hours=720,
        window_hours=720,
        hourly_on_demand_cost=(),
        price=G5_XL,
        catalog=(G5_XL, G5_12XL),
    )
    return replace(base, **changes)


def factors(**overrides: object) -> Factors:
    return factors_resolve(overrides=overrides, use_stored=False)


def savings(module: object, prof: EndpointProfile, fac: Factors | None = None) -> dict:
    """Savings per variant (cost - cost after), or None when the lever does not apply."""
    fac = fac or factors()
    result = {}
    for variant in ("point", "pessimistic", "optimistic"):
        projection = module.project(prof, fac, variant)
        result[variant] = None if projection is None else prof.monthly_cost - projection.cost_after
    return result
