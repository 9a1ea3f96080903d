"""Celery wrappers for recommendations (thin; the services are idempotent)."""

from celery import shared_task


@shared_task(
    name="recommendations.recommendation_refresh",
    acks_late=True,
    soft_time_limit=900,
    time_limit=960,
)
def recommendation_refresh_task() -> dict:
    """Daily: refresh every endpoint's recommendations, then measure implemented ones."""
    from django.utils import timezone

    from apps.recommendations.services.recommendation_measure import (
        recommendations_measure_due,
    )
    from apps.recommendations.services.recommendation_refresh import recommendation_refresh

    now = timezone.now()
    result = recommendation_refresh(now=now)
    measured = recommendations_measure_due(now=now)
    return {
        "created": result.created,
        "updated": result.updated,
        "reopened": result.reopened,
        "removed": result.removed,
        "unchanged": result.unchanged,
        "measured": len(measured),
    }
