"""Thin Celery wrappers around the reports services (ids and ISO strings only)."""

from datetime import date

from celery import shared_task


@shared_task(
    name="reports.weekly_reports_send_due", acks_late=True, soft_time_limit=600, time_limit=660
)
def weekly_reports_send_due_task() -> int:
    from apps.reports.services.weekly_report_send import weekly_reports_send_due

    return weekly_reports_send_due()


@shared_task(name="reports.weekly_report_send", acks_late=True, soft_time_limit=120, time_limit=150)
def weekly_report_send_task(team_id: int, week_start: str) -> int:
    from apps.reports.services.weekly_report_send import weekly_report_send

    return weekly_report_send(team_id=team_id, week_start=date.fromisoformat(week_start)).id


@shared_task(
    name="reports.budget_alerts_check", acks_late=True, soft_time_limit=300, time_limit=360
)
def budget_alerts_check_task() -> int:
    from django.utils import timezone

    from apps.reports.services.budget_alerts import budget_alerts_check

    return budget_alerts_check(month_start=timezone.now().date().replace(day=1))
