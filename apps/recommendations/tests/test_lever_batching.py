from decimal import Decimal

from apps.recommendations.levers import batching
from apps.recommendations.tests.profiles import factors, profile, savings


def test_small_batches_at_low_utilization_shrink_capacity_by_the_batching_gain():
    # 6 replicas (4320/month), utilization 0.5, mean batch 72e6 / 36e6 = 2.
    # 4320 / 3 = 1440 -> 2880; / 2 = 2160; / 8 = 540 -> floor one replica 720 -> 3600.
    prof = profile(monthly_cost=Decimal("4320"), monthly_idle_cost=Decimal("2160"))
    assert savings(batching, prof) == {
        "point": Decimal("2880"),
        "pessimistic": Decimal("2160"),
        "optimistic": Decimal("3600"),
    }


def test_large_batches_or_busy_gpus_need_no_batching_change():
    assert batching.project(profile(latency_ms_sum=360_000_000), factors(), "point") is None
    assert batching.project(profile(monthly_idle_cost=Decimal("100")), factors(), "point") is None


def test_endpoint_without_telemetry_is_not_assessed():
    assert batching.project(profile(lanes={}), factors(), "point") is None
