from decimal import Decimal

from apps.recommendations.levers import caching
from apps.recommendations.tests.profiles import factors, profile, savings


def test_duplicate_prompt_share_times_servable_share_comes_off_the_cost():
    # 900 / 3000 = 0.3 duplicates; x 0.5 servable = 0.15 -> 216; x 0.3 -> 129.6; x 0.8 -> 345.6
    assert savings(caching, profile(duplicate_prompts=900)) == {
        "point": Decimal("216.00"),
        "pessimistic": Decimal("129.600"),
        "optimistic": Decimal("345.600"),
    }


def test_single_replica_cannot_shrink_so_caching_saves_nothing():
    prof = profile(
        duplicate_prompts=900, monthly_cost=Decimal("720"), monthly_idle_cost=Decimal("0")
    )
    assert savings(caching, prof)["point"] == Decimal("0")


def test_few_duplicates_give_no_recommendation():
    assert caching.project(profile(duplicate_prompts=120), factors(), "point") is None
