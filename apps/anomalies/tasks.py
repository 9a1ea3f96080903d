"""Celery wrappers for anomaly detection and alert delivery (thin; services are idempotent)."""

from datetime import datetime, timedelta

from celery import shared_task


@shared_task(name="anomalies.detect", acks_late=True, soft_time_limit=900, time_limit=960)
def detect_task(
    granularity: str = "hour", start: str | None = None, end: str | None = None
) -> dict:
    """Judge the last 6 hours (hourly) or 3 days (daily) unless a window is given (ISO strings).

    Beat runs it after the telemetry rollups (hourly) and after the billing import (daily); the
    overlap re-judges late data, and re-running a window changes nothing.
    """
    from django.utils import timezone

    from apps.anomalies.services.anomalies_detect import anomalies_detect

    now = timezone.now()
    if end is None:
        unit = timedelta(hours=1) if granularity == "hour" else timedelta(days=1)
        floor = now.replace(minute=0, second=0, microsecond=0)
        if granularity == "day":
            floor = floor.replace(hour=0)
        end_at = floor
        start_at = end_at - (6 if granularity == "hour" else 3) * unit
    else:
        end_at = datetime.fromisoformat(end)
        start_at = datetime.fromisoformat(start) if start else end_at - timedelta(days=1)
    summary = anomalies_detect(granularity=granularity, start=start_at, end=end_at, now=now)
    return {
        "series": summary.series,
        "created": summary.created,
        "updated": summary.updated,
        "resolved": summary.resolved,
    }


@shared_task(name="anomalies.delivery_send", acks_late=True, soft_time_limit=60, time_limit=90)
def delivery_send_task(delivery_id: int) -> str:
    """Send one alert; on failure re-enqueue itself after the backoff the service chose."""
    from apps.anomalies.services.delivery_send import delivery_send

    wait = delivery_send(delivery_id=delivery_id)
    if wait is not None:
        delivery_send_task.apply_async((delivery_id,), countdown=wait)
        return f"retry in {wait:.0f}s"
    return "done"


@shared_task(name="anomalies.deliveries_retry", acks_late=True, soft_time_limit=60, time_limit=90)
def deliveries_retry_task() -> int:
    """Re-enqueue pending deliveries that are due (a lost countdown never drops an alert)."""
    from django.db.models import Q
    from django.utils import timezone

    from apps.anomalies.choices import DeliveryStatus
    from apps.anomalies.models import Delivery

    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__lte=timezone.now())
    )
    ids = list(due.values_list("id", flat=True)[:500])
    for delivery_id in ids:
        delivery_send_task.delay(delivery_id)
    return len(ids)
