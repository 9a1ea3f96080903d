from datetime import UTC, datetime

import pytest
from django.core import mail

from apps.reports.models import Budget, BudgetAlert
from apps.reports.services.budget_alerts import budget_alerts_check
from apps.reports.tests.builders import FEB, JAN

pytestmark = pytest.mark.django_db
AFTER_JANUARY = datetime(2024, 2, 15, tzinfo=UTC)


def test_crossing_80_and_100_percent_alerts_team_contact_and_finance_once(world, finance_user):
    # search's January cost is 12.82: over 100% of 12, so actual and forecast cross 80 and 100.
    Budget.objects.create(team=world["team_a"], period_start=JAN, amount=12)
    assert budget_alerts_check(month_start=JAN, now=AFTER_JANUARY) == 4
    assert {(a.kind, a.threshold_percent) for a in BudgetAlert.objects.all()} == {
        ("actual", 80),
        ("actual", 100),
        ("forecast", 80),
        ("forecast", 100),
    }
    assert len(mail.outbox) == 4
    assert set(mail.outbox[0].to) == {"search@example.com", "fin@example.com"}
    assert "100%" in mail.outbox[-1].subject or "80%" in mail.outbox[-1].subject
    assert budget_alerts_check(month_start=JAN, now=AFTER_JANUARY) == 0
    assert len(mail.outbox) == 4


def test_only_the_crossed_threshold_alerts(world, finance_user):
    # 12.82 of 15 is 85%: the 80% alerts only.
    Budget.objects.create(team=world["team_a"], period_start=JAN, amount=15)
    assert budget_alerts_check(month_start=JAN, now=AFTER_JANUARY) == 2
    assert set(BudgetAlert.objects.values_list("threshold_percent", flat=True)) == {80}


def test_forecast_crosses_before_the_actual_does(world, finance_user):
    # Mid-February: rank has cost 20 on the 3rd; the forecast projects more days at that level.
    Budget.objects.create(team=world["team_a"], endpoint=world["rank"], period_start=FEB, amount=30)
    budget_alerts_check(month_start=FEB, now=datetime(2024, 2, 10, tzinfo=UTC))
    kinds = set(BudgetAlert.objects.values_list("kind", "threshold_percent"))
    assert ("forecast", 100) in kinds
    assert ("actual", 80) not in kinds
