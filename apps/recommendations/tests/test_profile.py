from decimal import Decimal

from apps.recommendations.levers import batching
from apps.recommendations.levers.base import one_replica_monthly
from apps.recommendations.tests.profiles import factors, profile


def test_replicas_come_from_list_cost_so_discounted_capacity_still_counts_whole_replicas():
    # One replica covered by a savings plan: pays 450 a month, lists at 720 (1.00/h on demand).
    covered = profile(
        monthly_cost=Decimal("450"),
        monthly_idle_cost=Decimal("400"),
        monthly_list_cost=Decimal("720"),
    )
    assert covered.replicas == 1
    assert one_replica_monthly(covered) == Decimal("450")
    # Batching cannot take a single replica below itself: 450 / 3 -> floored at 450.
    assert batching.project(covered, factors(), "point").cost_after == Decimal("450")


def test_a_share_of_a_pool_has_no_one_replica_floor():
    pooled = profile(monthly_cost=Decimal("360"), monthly_idle_cost=Decimal("300"))
    assert pooled.replicas == Decimal("0.5")
    assert one_replica_monthly(pooled) == 0
