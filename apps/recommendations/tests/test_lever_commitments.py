from decimal import Decimal

from apps.recommendations.levers import commitments
from apps.recommendations.tests.profiles import factors, profile, savings

# 100 hours at 1.00/h and 620 at 2.00/h of on-demand cost.
HOURS = (Decimal("1"),) * 100 + (Decimal("2"),) * 620


def test_low_percentile_baseline_is_committed_at_the_price_book_discount():
    # P10 (rank 72) = 1.00/h; 1y discount 1 - 0.64 = 0.36: 1 x 720 x 0.36 = 259.20.
    # Optimistic: P20 (rank 144) = 2.00/h at the 3y discount 0.60 = 864.
    result = savings(commitments, profile(hourly_on_demand_cost=HOURS))
    assert result == {
        "point": Decimal("259.20"),
        "pessimistic": Decimal("259.20"),
        "optimistic": Decimal("864.00"),
    }


def test_nearest_rank_percentile():
    values = tuple(Decimal(i) for i in range(1, 11))
    assert commitments.percentile(values, Decimal(10)) == 1
    assert commitments.percentile(values, Decimal(50)) == 5
    assert commitments.percentile(values, Decimal(95)) == 10


def test_fewer_than_28_days_of_on_demand_hours_is_not_enough():
    short = (Decimal(0),) * 100 + (Decimal(2),) * 620
    assert commitments.project(profile(hourly_on_demand_cost=short), factors(), "point") is None


def test_spot_endpoints_are_not_committed():
    prof = profile(hourly_on_demand_cost=HOURS, pricing_category="spot")
    assert commitments.project(prof, factors(), "point") is None
