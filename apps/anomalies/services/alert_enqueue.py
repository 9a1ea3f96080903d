"""Create the deliveries of one alert event and queue them after commit (idempotent)."""

from django.db import transaction
from django.db.models import Q

from apps.anomalies.choices import AlertEvent
from apps.anomalies.models import Anomaly, Delivery, Subscription


def alerts_enqueue(*, anomaly: Anomaly, event: str) -> list[int]:
    """One delivery per matching subscription: the anomaly's team's and every global one.

    Keyed by (anomaly, subscription, event, revision), so a second call for the same event and
    revision adds nothing. ``escalated`` bumps the revision; ``notified_impact`` records the
    impact last announced, so an incident is re-announced only when it has doubled.
    """
    if anomaly.parent_id is not None:
        return []  # the parent incident carries the alert
    if event == AlertEvent.ESCALATED:
        anomaly.revision += 1
    if event in (AlertEvent.OPENED, AlertEvent.ESCALATED):
        anomaly.notified_impact = anomaly.impact
    anomaly.save(update_fields=["revision", "notified_impact", "updated_at"])
    subscriptions = Subscription.objects.filter(is_active=True).filter(
        Q(team__isnull=True) | Q(team_id=anomaly.team_id)
    )
    created = []
    for subscription in subscriptions:
        if event != AlertEvent.RESOLVED and abs(anomaly.impact) < subscription.min_impact:
            continue
        delivery, was_created = Delivery.objects.get_or_create(
            anomaly=anomaly, subscription=subscription, event=event, revision=anomaly.revision
        )
        if was_created:
            created.append(delivery.id)
    if created:
        from apps.anomalies.tasks import delivery_send_task  # lazy: tasks import services

        for delivery_id in created:
            transaction.on_commit(lambda d=delivery_id: delivery_send_task.delay(d))
    return created
