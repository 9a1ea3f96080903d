from datetime import date
from decimal import Decimal

import pytest

from apps.accounts.access import system_access
from apps.catalog.tests.factories import ModelEndpointFactory
from apps.common.errors import ValidationFailed
from apps.recommendations.selectors import projection_accuracy_by_lever
from apps.recommendations.services.recommendation_measure import recommendation_measure
from apps.recommendations.services.recommendation_transition import recommendation_transition
from apps.recommendations.tests.factories import (
    RecommendationFactory,
    allocate,
    endpoint_days,
    now_after,
    price_book,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_mid_period(team_a: object) -> object:
    """Two replicas until 11 Oct (48.00/day, 30k tokens/day), one replica from 12 Oct with
    20% more traffic (24.00/day, 36k tokens/day): the change was applied on 11 Oct."""
    price_book()
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    endpoint_days(ep, first=1, last=11, replicas=2, tokens=30_000)
    endpoint_days(ep, first=12, last=20, replicas=1, tokens=36_000)
    allocate()
    return RecommendationFactory(
        endpoint=ep, status="implemented", implemented_on=date(2026, 10, 11)
    )


def test_realized_savings_are_normalised_for_traffic(changed_mid_period):
    rec = recommendation_measure(recommendation_id=changed_mid_period.id, now=now_after(21))
    # Before (1-10 Oct): 48.00 per 30k tokens = 1.60 per 1k. After (12-20 Oct, 9 days):
    # 24.00 per 36k tokens. At the old unit cost those tokens would cost 57.60 a day, so the
    # change saves 33.60 a day = 1008.00 a month (the projection said 720).
    assert rec.realized_savings_monthly == Decimal("1008")
    assert rec.realized_evidence["before"]["cost_per_1k_tokens"] == "1.6000000000"
    assert rec.realized_evidence["after"]["days"] == 9
    assert rec.realized_evidence["before"]["days"] == 10
    assert rec.projection_accuracy == Decimal("1.4")


def test_measuring_twice_gives_the_same_figures_and_verification_is_then_allowed(
    changed_mid_period,
):
    first = recommendation_measure(recommendation_id=changed_mid_period.id, now=now_after(21))
    second = recommendation_measure(recommendation_id=changed_mid_period.id, now=now_after(21))
    assert first.realized_savings_monthly == second.realized_savings_monthly
    rec = recommendation_transition(
        recommendation_id=changed_mid_period.id, status="verified", user=None, now=now_after(21)
    )
    assert rec.status == "verified"


def test_projection_accuracy_per_lever(changed_mid_period):
    recommendation_measure(recommendation_id=changed_mid_period.id, now=now_after(21))
    rows = projection_accuracy_by_lever(access=system_access())
    assert rows == [
        {
            "lever": "right_sizing",
            "measured": 1,
            "projected": Decimal("720"),
            "realized": Decimal("1008"),
            "accuracy": Decimal("1.4"),
        }
    ]


def test_too_few_days_after_the_change_cannot_be_measured(changed_mid_period):
    with pytest.raises(ValidationFailed, match="days of cost after"):
        recommendation_measure(recommendation_id=changed_mid_period.id, now=now_after(13))


def test_daily_job_measures_implemented_recommendations_that_are_due(changed_mid_period):
    from apps.recommendations.services.recommendation_measure import recommendations_measure_due

    assert recommendations_measure_due(now=now_after(21)) == [changed_mid_period.id]
    changed_mid_period.refresh_from_db()
    assert changed_mid_period.realized_savings_monthly == Decimal("1008")
