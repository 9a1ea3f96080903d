from decimal import Decimal

from apps.recommendations.levers import lanes
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import P4D, factors, profile, savings

MIXED = {
    "interactive": LaneUsage(requests=3000, gpu_seconds=Decimal("6000")),
    "batch": LaneUsage(requests=900, gpu_seconds=Decimal("4000")),
}


def _premium(**changes: object) -> object:
    shape = {
        "accelerator_type": "A100-40GB",
        "accelerator_count": 8,
        "instance_type": "p4d.24xlarge",
        "parameter_count": 70_000_000_000,
        "monthly_cost": Decimal("46080"),
        "monthly_idle_cost": Decimal("0"),
        "price": P4D,
        "catalog": (P4D,),
    }
    return profile(**{**shape, **changes})


def test_mixed_lanes_on_premium_gpus_move_the_batch_share_to_spot():
    # Two p4d replicas (46080). Batch = 40% of GPU time: 18432 moves and costs
    # 18432 x 0.35 x 1.1 = 7096.32 on spot; 27648 stays on demand -> savings 11335.68
    result = savings(lanes, _premium(lanes=MIXED))
    assert result["point"] == Decimal("11335.68")
    assert result["pessimistic"] < result["point"] < result["optimistic"]


def test_a_single_replica_cannot_shrink_so_moving_its_batch_share_saves_nothing():
    result = savings(lanes, _premium(lanes=MIXED, monthly_cost=Decimal("23040")))
    assert result["point"] < 0  # the engine clamps this to no recommendation


def test_cheap_accelerators_keep_their_lanes_together():
    assert lanes.project(profile(lanes=MIXED), factors(), "point") is None


def test_all_batch_or_little_batch_is_not_a_lanes_case():
    only_batch = {"batch": LaneUsage(requests=900, gpu_seconds=Decimal("4000"))}
    assert lanes.project(_premium(lanes=only_batch), factors(), "point") is None
    little = {
        "interactive": LaneUsage(requests=3000, gpu_seconds=Decimal("9500")),
        "nearline": LaneUsage(requests=10, gpu_seconds=Decimal("500")),
    }
    assert lanes.project(_premium(lanes=little), factors(), "point") is None
