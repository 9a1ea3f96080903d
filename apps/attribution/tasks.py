"""Celery wrappers for attribution (thin; the service is idempotent and locks the period)."""

from datetime import date, timedelta

from celery import shared_task


@shared_task(
    name="attribution.period_allocate", acks_late=True, soft_time_limit=1800, time_limit=1900
)
def period_allocate_task(period_start: str, triggered_by: str = "task") -> dict:
    from apps.attribution.services.period_allocate import period_allocate  # lazy: cycles

    run = period_allocate(period_start=date.fromisoformat(period_start), triggered_by=triggered_by)
    return {"run_id": run.id, "status": run.status, "ledger_rows": run.ledger_rows}


@shared_task(
    name="attribution.days_reallocate", acks_late=True, soft_time_limit=3600, time_limit=3700
)
def days_reallocate_task(start: str, end: str, triggered_by: str = "task") -> list[str]:
    """Recompute every billing period that has ledger rows charged in ``[start, end)``."""
    from apps.attribution.services.period_allocate import periods_for_days

    periods = periods_for_days(start=date.fromisoformat(start), end=date.fromisoformat(end))
    for period in periods:
        period_allocate_task.delay(period.isoformat(), triggered_by)
    return [p.isoformat() for p in periods]


@shared_task(
    name="attribution.recent_periods_allocate",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
def recent_periods_allocate_task() -> list[str]:
    """Nightly: recompute this month and last (late telemetry and billing restatements)."""
    from django.utils import timezone

    from apps.common.clock import month_start

    today = timezone.now().date()
    last_month = month_start(month_start(today) - timedelta(days=1))
    return days_reallocate_task(
        last_month.isoformat(), (today + timedelta(days=1)).isoformat(), "beat"
    )
