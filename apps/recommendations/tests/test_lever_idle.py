from decimal import Decimal

from apps.recommendations.levers import idle
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import factors, profile, savings

QUIET = {"interactive": LaneUsage(requests=90, gpu_seconds=Decimal("90"))}


def test_almost_no_traffic_keeps_capacity_only_in_active_hours():
    # 3 requests/day in 36 of 720 hours: kept 0.05 + 0.10 -> 1440 x 0.85 = 1224;
    # warm 0.25 -> 1008; warm 0.05 -> 1296.
    assert savings(idle, profile(lanes=QUIET, active_hours=36)) == {
        "point": Decimal("1224.00"),
        "pessimistic": Decimal("1008.00"),
        "optimistic": Decimal("1296.00"),
    }


def test_endpoint_without_any_telemetry_is_a_low_confidence_candidate():
    projection = idle.project(profile(lanes={}, active_hours=0), factors(), "point")
    assert projection.confidence == "low"
    assert "no telemetry" in projection.prerequisites[0]


def test_endpoint_with_real_traffic_is_not_scaled_to_zero():
    assert idle.project(profile(), factors(), "point") is None
