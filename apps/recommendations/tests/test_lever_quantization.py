from dataclasses import replace
from decimal import Decimal

from apps.recommendations.levers import quantization
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import G6_XL, P4D, factors, profile, savings


def test_bf16_8b_on_a10g_goes_to_int8_with_throughput_gain_only():
    # 16 GB x 1.3 = 20.8 GB <= 24 x 0.9: one GPU before and after. Gain 1.8 / 1.5 = 1.2:
    # 1440 / 1.2 = 1200. Pessimistic gain 1.5/1.5 = 1 -> 0; optimistic 2.4/1.5 = 1.6 -> 900.
    result = savings(quantization, profile())
    assert result == {
        "point": Decimal("240"),
        "pessimistic": Decimal("0"),
        "optimistic": Decimal("540"),
    }
    projection = quantization.project(profile(), factors(), "point")
    assert projection.details["target_precision"] == "int8"
    assert projection.details["gpus_per_replica_after"] == 1


def test_70b_on_eight_a100_frees_three_gpus_after_int8_and_keeps_one_replica_floor():
    # 1 replica of 8 x A100 (32/h): 23040/month. BF16 140 GB x 1.3 / 36 -> 6 GPUs needed,
    # INT8 70 GB x 1.3 / 36 = 2.53 -> 3: 3 GPUs freed, 5 kept. 23040 x 5/8 / 1.2 = 12000,
    # below one replica of 5 GPUs (32 x 5/8 x 720 = 14400), so 14400: savings 8640.
    prof = profile(
        parameter_count=70_000_000_000,
        accelerator_type="A100-40GB",
        accelerator_count=8,
        instance_type="p4d.24xlarge",
        monthly_cost=Decimal("23040"),
        monthly_idle_cost=Decimal("11520"),
        price=P4D,
        catalog=(P4D,),
    )
    projection = quantization.project(prof, factors(), "point")
    assert prof.monthly_cost - projection.cost_after == Decimal("8640")
    assert projection.details["gpus_per_replica_needed_today"] == 6
    assert projection.details["gpus_per_replica_after"] == 5


def test_spare_gpus_of_an_oversized_replica_are_not_credited_to_quantization():
    # A 3.5B FP16 model (7 GB) on 8 GPUs needs 1 GPU before and after: only the gain counts.
    # Two replicas (46080): 46080 / 1.2 = 38400 -> 7680. One replica: the floor keeps it all.
    prof = profile(
        parameter_count=3_500_000_000,
        precision="fp16",
        accelerator_count=8,
        monthly_cost=Decimal("46080"),
        price=P4D,
    )
    projection = quantization.project(prof, factors(), "point")
    assert projection.details["gpus_per_replica_after"] == 8
    assert prof.monthly_cost - projection.cost_after == Decimal("7680")
    single = replace(prof, monthly_cost=Decimal("23040"))
    assert quantization.project(single, factors(), "point").cost_after == Decimal("23040")


def test_fp8_is_chosen_only_where_the_accelerator_supports_it():
    prof = profile(accelerator_type="L4", instance_type="g6.xlarge", price=G6_XL)
    assert quantization.project(prof, factors(), "point").details["target_precision"] == "fp8"
    assert quantization.project(profile(), factors(), "point").details["target_precision"] == (
        "int8"
    )


def test_already_quantized_or_unpriced_endpoints_get_nothing():
    assert quantization.project(profile(precision="int8"), factors(), "point") is None
    assert quantization.project(profile(precision="fp8"), factors(), "point") is None
    assert quantization.project(profile(price=None), factors(), "point") is None


def test_fp32_source_uses_the_full_published_gain():
    # FP32 -> INT8: 1.8x, and 32 GB x 1.3 / 21.6 -> 2 GPUs today vs 1 after (but the replica
    # has 1): 1440 / 1.8 = 800, floor 720 -> savings 640.
    prof = profile(precision="fp32", lanes={"interactive": LaneUsage(requests=1)})
    assert savings(quantization, prof)["point"] == Decimal("640")
