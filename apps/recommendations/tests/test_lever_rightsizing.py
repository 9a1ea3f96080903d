from decimal import Decimal

from apps.recommendations.levers import rightsizing
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import G5_12XL, factors, profile, savings


def test_two_replicas_at_quarter_utilization_become_one():
    # 2 x 1 GPU x 0.25 / 0.6 = 0.83 GPUs -> 1 replica: 1440 x 1/2 -> savings 720
    prof = profile(monthly_idle_cost=Decimal("1080"))
    assert savings(rightsizing, prof)["point"] == Decimal("720")
    assert rightsizing.project(prof, factors(), "point").details["capacity_after"] == (
        "1 replica(s) of 1 x A10G"
    )


def test_one_big_instance_at_low_utilization_moves_to_a_smaller_instance_of_the_same_gpu():
    # 1 x g5.12xlarge (4 GPUs, 4.00/h = 2880/month) at 10%: 4 x 0.1 / 0.6 = 0.67 GPUs; the
    # 8B BF16 model fits one A10G: 1 x g5.xlarge = 2880 x 1.00 / 4.00 = 720 -> savings 2160.
    prof = profile(
        accelerator_count=4,
        instance_type="g5.12xlarge",
        monthly_cost=Decimal("2880"),
        monthly_idle_cost=Decimal("2592"),
        price=G5_12XL,
        lanes={"interactive": LaneUsage(requests=100, gpu_seconds=Decimal("100"))},
    )
    projection = rightsizing.project(prof, factors(), "point")
    assert prof.monthly_cost - projection.cost_after == Decimal("2160")
    assert projection.title.endswith("1 x g5.xlarge")


def test_well_used_endpoint_is_left_alone():
    assert rightsizing.project(profile(), factors(), "point") is None
