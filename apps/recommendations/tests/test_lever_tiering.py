from decimal import Decimal

from apps.recommendations.levers import tiering
from apps.recommendations.tests.profiles import factors, profile, savings


def test_assumed_simple_share_goes_to_a_model_ten_times_cheaper():
    # 1440 x 0.8 = 1152 + 1440 x 0.2 x 0.1 = 28.8 -> 1180.8: savings 259.2
    # pessimistic 0.1 / 0.2: 1296 + 28.8 -> 115.2; optimistic 0.3 / 0.05: 1008 + 21.6 -> 410.4
    assert savings(tiering, profile()) == {
        "point": Decimal("259.20"),
        "pessimistic": Decimal("115.20"),
        "optimistic": Decimal("410.40"),
    }


def test_the_share_is_an_explicit_assumption_that_can_be_changed():
    result = savings(tiering, profile(), factors(**{"tiering.simple_share": "0.5"}))
    # 1440 x 0.5 = 720 (one replica) + 1440 x 0.5 x 0.1 = 72 -> 792: savings 648
    assert result["point"] == Decimal("648.00")


def test_small_models_are_not_tiered():
    assert tiering.project(profile(parameter_count=335_000_000), factors(), "point") is None
