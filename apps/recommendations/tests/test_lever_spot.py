from dataclasses import replace
from decimal import Decimal

from apps.recommendations.levers import spot
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import G5_XL, factors, profile, savings

BATCH_ONLY = {"batch": LaneUsage(requests=500, gpu_seconds=Decimal("9000"))}


def test_batch_only_on_demand_endpoint_moves_to_spot_price_with_overhead():
    # 1440 x 0.35 x 1.10 = 554.40 -> 885.60; overhead 20%: 604.80; 5%: 529.20.
    assert savings(spot, profile(lanes=BATCH_ONLY)) == {
        "point": Decimal("885.6000"),
        "pessimistic": Decimal("835.2000"),
        "optimistic": Decimal("910.8000"),
    }


def test_interactive_endpoint_gets_no_spot_unless_marked_interruption_tolerant():
    assert spot.project(profile(), factors(), "point") is None
    assert spot.project(profile(is_interruption_tolerant=True), factors(), "point") is not None


def test_without_a_spot_price_the_published_discount_is_used():
    # 1 - 0.7 = 0.3 x 1.1 = 0.33 -> 1440 x 0.67 = 964.80
    prof = profile(lanes=BATCH_ONLY, price=replace(G5_XL, spot_hourly=None))
    projection = spot.project(prof, factors(), "point")
    assert prof.monthly_cost - projection.cost_after == Decimal("964.800")
    assert projection.details["price_from"] == "spot.discount_fallback"


def test_endpoint_already_on_spot_gets_nothing():
    assert (
        spot.project(profile(lanes=BATCH_ONLY, pricing_category="spot"), factors(), "point") is None
    )
