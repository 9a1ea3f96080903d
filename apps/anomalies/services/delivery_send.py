"""Send one delivery; log the outcome on the row and say when to retry (never raises)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.anomalies.choices import Channel, DeliveryStatus
from apps.anomalies.models import Anomaly, Delivery
from apps.anomalies.services.channels import DeliveryError, email_send, slack_send, webhook_send
from apps.common.money import DISPLAY_QUANTUM

BACKOFF_BASE_S = 30


def alert_payload(*, anomaly: Anomaly, event: str) -> dict:
    """The JSON body of a webhook alert (money as decimal strings)."""
    top = anomaly.contributors[0] if anomaly.contributors else None
    return {
        "event": event,
        "anomaly_id": anomaly.id,
        "revision": anomaly.revision,
        "monitor": anomaly.monitor.key,
        "team": anomaly.team.name if anomaly.team_id else None,
        "status": anomaly.status,
        "signal": anomaly.signal,
        "direction": anomaly.direction,
        "start": anomaly.start_at.isoformat(),
        "end": anomaly.end_at.isoformat(),
        "impact": str(anomaly.impact.quantize(DISPLAY_QUANTUM)),
        "currency": anomaly.currency,
        "usage_effect": str(anomaly.usage_effect.quantize(DISPLAY_QUANTUM)),
        "unit_cost_effect": str(anomaly.unit_cost_effect.quantize(DISPLAY_QUANTUM)),
        "root_cause": {"dimension": top["dimension"], "value": top["value"]} if top else None,
        "url": settings.COSTGOV_BASE_URL.rstrip("/")
        + reverse("anomalies:detail", args=[anomaly.id]),
    }


def alert_text(payload: dict) -> str:
    cause = payload["root_cause"]
    cause_text = f"{cause['dimension']}={cause['value']}" if cause else "unknown"
    return (
        f"[costgov] {payload['event']}: {payload['monitor']} {payload['signal']} "
        f"{payload['direction']} since {payload['start']}, impact {payload['impact']} "
        f"{payload['currency']} (usage {payload['usage_effect']}, unit cost "
        f"{payload['unit_cost_effect']}); top cause {cause_text}. {payload['url']}"
    )


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> float | None:
    """Attempt a pending delivery. Returns seconds until the next attempt, or None when done.

    The row is claimed with a row lock, so two workers never send the same delivery twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "anomaly__monitor", "anomaly__team")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        subscription = delivery.subscription
        payload = alert_payload(anomaly=delivery.anomaly, event=delivery.event)
        delivery.attempts += 1
        try:
            if subscription.channel == Channel.SLACK:
                code = slack_send(url=subscription.target, text=alert_text(payload))
            elif subscription.channel == Channel.EMAIL:
                subject = f"[costgov] {payload['event']} {payload['monitor']}"
                code = email_send(to=subscription.target, subject=subject, text=alert_text(payload))
            else:
                code = webhook_send(
                    url=subscription.target, secret=subscription.secret, payload=payload
                )
        except DeliveryError as exc:
            delivery.last_error = str(exc)[:2000]
            delivery.response_status = exc.status
            if delivery.attempts >= settings.ANOMALY_DELIVERY_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                delivery.save()
                return None
            wait = BACKOFF_BASE_S * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = now + timedelta(seconds=wait)
            delivery.save()
            return float(wait)
        delivery.status = DeliveryStatus.SENT
        delivery.response_status = code
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.next_attempt_at = None
        delivery.save()
        return None
