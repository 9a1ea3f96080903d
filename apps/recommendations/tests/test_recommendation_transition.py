from datetime import date

import pytest

from apps.common.errors import ValidationFailed
from apps.recommendations.services.recommendation_transition import recommendation_transition
from apps.recommendations.tests.factories import RecommendationFactory, now_after

pytestmark = pytest.mark.django_db


def _move(rec: object, status: str, **kwargs: object) -> object:
    return recommendation_transition(
        recommendation_id=rec.id, status=status, user=None, now=now_after(20), **kwargs
    )


def test_open_accepted_implemented_with_date():
    rec = RecommendationFactory()
    rec = _move(rec, "accepted")
    assert rec.accepted_at == now_after(20)
    rec = _move(rec, "implemented", implemented_on=date(2026, 10, 18))
    assert rec.status == "implemented"
    assert rec.implemented_on == date(2026, 10, 18)


def test_implemented_needs_a_date_not_in_the_future():
    rec = RecommendationFactory(status="accepted")
    with pytest.raises(ValidationFailed, match="implemented_on"):
        _move(rec, "implemented")
    with pytest.raises(ValidationFailed, match="future"):
        _move(rec, "implemented", implemented_on=date(2027, 1, 1))


def test_skipping_a_step_is_rejected():
    rec = RecommendationFactory()
    with pytest.raises(ValidationFailed, match="cannot become implemented"):
        _move(rec, "implemented", implemented_on=date(2026, 10, 18))


def test_dismissal_needs_a_reason_and_remembers_the_savings():
    rec = RecommendationFactory()
    with pytest.raises(ValidationFailed, match="reason"):
        _move(rec, "dismissed", reason="  ")
    rec = _move(rec, "dismissed", reason="model is retired next month")
    assert rec.dismissed_savings_monthly == rec.savings_monthly
    assert rec.dismissed_reason == "model is retired next month"


def test_verification_needs_measured_realized_savings():
    rec = RecommendationFactory(status="implemented", implemented_on=date(2026, 10, 11))
    with pytest.raises(ValidationFailed, match="Realized"):
        _move(rec, "verified")


def test_moving_to_the_current_status_is_a_no_op():
    rec = RecommendationFactory()
    assert _move(rec, "open").status == "open"
