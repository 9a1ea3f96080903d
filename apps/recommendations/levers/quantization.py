"""Quantization: FP32/FP16/BF16 weights -> FP8 (accelerators with FP8 support) or INT8.

GPUs per replica before and after come from the parameter count, bytes per parameter and the
price book's GPU memory (weights x KV-cache headroom / usable memory); a replica gives up the
GPUs the smaller weights free (today's GPUs - (needed before - needed after)). Cost after =
cost x (GPUs after / GPUs today) / throughput gain, where the gain is the target's throughput
over the current precision's (both relative to FP32); never below one replica.
"""

from decimal import Decimal

from apps.recommendations.choices import Confidence, Lever
from apps.recommendations.factors import Factors
from apps.recommendations.levers.base import (
    EndpointProfile,
    Projection,
    floor_one_replica,
    fmt,
    gpus_needed,
)

LEVER = Lever.QUANTIZATION
SOURCE_PRECISIONS = ("fp32", "fp16", "bf16")
ACCURACY = {
    "fp8": "FP8: small accuracy change (published); check on your evaluation set",
    "int8": "INT8 post-training: ~-0.3% accuracy (published; -0.5% to -3% task dependent)",
    "int4": "INT4 post-training: ~-1.1% accuracy (published)",
}


def _throughput(precision: str, factors: Factors, variant: str) -> Decimal:
    if precision == "fp32":
        return Decimal(1)
    if precision in ("fp16", "bf16"):
        # The baseline is not varied: a range on it would count the same doubt twice.
        return factors.get("quantization.throughput.fp16")
    return factors.get(f"quantization.throughput.{precision}", variant)


def _cost_after(
    profile: EndpointProfile, factors: Factors, variant: str, target: str
) -> tuple[Decimal, dict]:
    price = profile.price
    headroom = factors.get("quantization.memory_headroom", variant)
    usable = factors.get("quantization.usable_memory_share", variant)
    sizing = {
        "parameters": profile.parameter_count,
        "gpu_memory_gb": price.gpu_memory_gb,
        "headroom": headroom,
        "usable": usable,
    }
    needed_before = gpus_needed(precision=profile.precision, **sizing)
    needed_after = gpus_needed(precision=target, **sizing)
    gpus_before = profile.accelerator_count
    # Only the GPUs freed by the smaller weights count here; spare GPUs a replica has today
    # (beyond what its current precision needs) are a right-sizing matter.
    # A replica running on fewer GPUs than the estimate says proves the estimate high: count
    # from what it runs on.
    freed = max(0, min(needed_before, gpus_before) - needed_after)
    gpus_after = max(1, gpus_before - freed)
    gain = max(
        Decimal(1),
        _throughput(target, factors, variant) / _throughput(profile.precision, factors, variant),
    )
    gpu_ratio = Decimal(gpus_after) / gpus_before
    cost_after = floor_one_replica(profile, profile.monthly_cost * gpu_ratio / gain, gpu_ratio)
    replicas = profile.replicas
    return cost_after, {
        "target_precision": target,
        "gpus_per_replica_today": gpus_before,
        "gpus_per_replica_needed_today": needed_before,
        "gpus_per_replica_after": gpus_after,
        "throughput_gain": fmt(gain, 4),
        "replicas_today": None if replicas is None else fmt(replicas),
        # Replicas of the new size; dedicated endpoints keep at least one.
        "replicas_after": None
        if replicas is None
        else fmt(max(replicas * gpu_ratio / gain, min(replicas, Decimal(1)))),
    }


def project(profile: EndpointProfile, factors: Factors, variant: str) -> Projection | None:
    if profile.precision not in SOURCE_PRECISIONS or profile.price is None:
        return None
    if profile.monthly_cost <= 0:
        return None
    target = "fp8" if profile.price.supports_fp8 else "int8"
    cost_after, details = _cost_after(profile, factors, variant, target)
    int4_after, int4 = _cost_after(profile, factors, variant, "int4")
    details["alternative_int4"] = {**int4, "cost_after": fmt(int4_after)}
    return Projection(
        cost_after=cost_after,
        title=f"Quantize {profile.name} from {profile.precision.upper()} to {target.upper()}",
        confidence=Confidence.MEDIUM,
        details=details,
        risks={
            "accuracy": ACCURACY[target],
            "latency": "usually lower (less memory traffic); needs kernels for "
            f"{target.upper()} in the serving runtime",
            "interruption": "none",
        },
        prerequisites=[
            "An evaluation set and an accuracy gate agreed with the model owner",
            f"Serving runtime support for {target.upper()} weights on {profile.accelerator_type}",
            "Calibration data for post-training quantization",
        ],
        steps=[
            f"Quantize the weights to {target.upper()} (post-training, with calibration data)",
            "Compare accuracy with the current model on the evaluation set",
            f"Serve with {details['gpus_per_replica_after']} GPU(s) per replica; canary 5% of "
            "traffic",
            "Shift all traffic, reduce replicas as throughput allows, update the catalog precision",
        ],
    )
