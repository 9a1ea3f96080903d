"""Budget threshold alerts: email the team contact and finance when a budget is crossed."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.access import system_access
from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.common.money import round_display
from apps.reports.choices import AlertKind
from apps.reports.models import Budget, BudgetAlert
from apps.reports.selectors import budget_status_by_target

THRESHOLDS = (80, 100)


def _recipients(budget: Budget) -> list[str]:
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).exclude(email="")
    emails = {budget.team.contact_email} if budget.team.contact_email else set()
    emails |= set(finance.values_list("email", flat=True))
    return sorted(emails)


@transaction.atomic
def _alert_send(
    *, budget: Budget, kind: str, threshold: int, amount: Decimal, now: datetime
) -> bool:
    alert, _ = BudgetAlert.objects.get_or_create(
        budget=budget,
        kind=kind,
        threshold_percent=threshold,
        defaults={"amount": amount.quantize(Decimal("1E-10")), "created_at": now},
    )
    # The row lock makes a concurrent check wait, then see sent_at and skip.
    alert = BudgetAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.sent_at is not None:
        return False
    recipients = _recipients(budget)
    target = (
        f"{budget.team.name} / {budget.endpoint.name}" if budget.endpoint_id else budget.team.name
    )
    label = "forecast month-end cost" if kind == AlertKind.FORECAST else "actual cost to date"
    month = f"{budget.period_start:%Y-%m}"
    subject = f"[costgov] {target}: {label} reached {threshold}% of the {month} budget"
    body = (
        f"{target}'s {label} for {budget.period_start:%B %Y} is "
        f"{round_display(amount):,} {budget.currency}, {threshold}% or more of its budget of "
        f"{round_display(budget.amount):,} {budget.currency}.\n\n"
        f"Dashboard: {settings.COSTGOV_BASE_URL}/reports/owner?team={budget.team_id}"
        f"&month={budget.period_start:%Y-%m}\n"
    )
    if recipients:
        send_mail(subject, body, None, recipients)
    alert.recipients = recipients
    alert.sent_at = now
    alert.save(update_fields=["recipients", "sent_at"])
    return True


def budget_alerts_check(*, month_start: date, now: datetime | None = None) -> int:
    """Send each alert (actual or forecast, 80% and 100%) of the month's budgets at most once.

    Idempotent: the unique (budget, kind, threshold) row and its ``sent_at`` make a repeated
    check send nothing. Returns the number of alerts sent.
    """
    now = now or timezone.now()
    access = system_access()
    budgets = {
        b.id: b
        for b in Budget.objects.filter(period_start=month_start).select_related("team", "endpoint")
    }
    sent = 0
    for status in budget_status_by_target(access=access, month_start=month_start, as_of=now.date()):
        budget = budgets[status["budget_id"]]
        for kind, amount in (
            (AlertKind.ACTUAL, status["actual"]),
            (AlertKind.FORECAST, status["forecast"]),
        ):
            for threshold in THRESHOLDS:
                if amount * 100 >= budget.amount * threshold:
                    sent += _alert_send(
                        budget=budget, kind=kind, threshold=threshold, amount=amount, now=now
                    )
    return sent
