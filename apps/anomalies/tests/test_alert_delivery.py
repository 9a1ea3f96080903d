import json
import time

import pytest
from celery.contrib.testing.worker import start_worker

from apps.anomalies.choices import DeliveryStatus
from apps.anomalies.models import Anomaly, Delivery
from apps.anomalies.services.anomalies_detect import anomalies_detect
from apps.anomalies.services.channels import signature
from apps.anomalies.services.delivery_send import delivery_send
from apps.anomalies.tasks import detect_task
from apps.anomalies.tests.factories import SubscriptionFactory, endpoint_world, hour_at
from apps.anomalies.tests.receivers import http_receiver, smtp_server


def with_extra_replica(at):
    return ["i-a", "i-b", "i-c"] if at >= hour_at(8, 10) else ["i-a", "i-b"]


@pytest.mark.django_db
def test_alerts_reach_slack_webhook_and_smtp_and_a_failing_channel_blocks_none(team_a, settings):
    with http_receiver() as (base, received), smtp_server() as (port, inbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.ANOMALY_DELIVERY_MAX_ATTEMPTS = 3
        SubscriptionFactory(name="broken", team=None, channel="webhook", target=f"{base}/fail")
        SubscriptionFactory(name="team slack", team=team_a, channel="slack", target=f"{base}/slack")
        SubscriptionFactory(name="sre mail", team=None, channel="email", target="sre@example.com")
        SubscriptionFactory(
            name="sre hook", team=None, channel="webhook", target=f"{base}/hook", secret="s3cret"
        )
        endpoint_world(team=team_a, replicas=with_extra_replica)
        anomalies_detect(granularity="hour", start=hour_at(8, 0), end=hour_at(9, 0))
        anomaly = Anomaly.objects.get(monitor__key="endpoint:rank:hour")
        deliveries = list(Delivery.objects.filter(anomaly=anomaly).order_by("subscription__name"))
        assert [d.subscription.name for d in deliveries] == [
            "broken", "sre hook", "sre mail", "team slack",
        ]  # fmt: skip
        for delivery in deliveries:
            delivery_send(delivery_id=delivery.id)

        by_path = {r["path"]: r for r in received.requests}
        slack = json.loads(by_path["/slack"]["body"])
        assert "endpoint:rank:hour" in slack["text"]
        assert "resource_id=i-c" in slack["text"]
        hook = by_path["/hook"]
        expected = signature(
            secret="s3cret", timestamp=hook["headers"]["X-Costgov-Timestamp"], body=hook["body"]
        )
        assert hook["headers"]["X-Costgov-Signature"] == expected
        payload = json.loads(hook["body"])
        assert payload["event"] == "opened"
        assert payload["impact"] == "14.00"
        assert payload["root_cause"] == {"dimension": "resource_id", "value": "i-c"}
        [(recipients, message)] = inbox.messages
        assert recipients == ["sre@example.com"]
        assert "endpoint:rank:hour" in message["Subject"]

        statuses = {d.subscription.name: d for d in Delivery.objects.filter(anomaly=anomaly)}
        assert {n: d.status for n, d in statuses.items()} == {
            "broken": "pending", "sre hook": "sent", "sre mail": "sent", "team slack": "sent",
        }  # fmt: skip
        broken = statuses["broken"]
        assert broken.attempts == 1
        assert broken.response_status == 500
        assert "HTTP 500" in broken.last_error
        assert broken.next_attempt_at is not None
        # Retried with backoff until the attempts run out, then marked failed.
        waits = [delivery_send(delivery_id=broken.id) for _ in range(3)]
        broken.refresh_from_db()
        assert waits == [60.0, None, None]
        assert (broken.status, broken.attempts) == (DeliveryStatus.FAILED, 3)


@pytest.mark.django_db(transaction=True)
def test_detection_and_delivery_run_in_a_real_worker(team_a, worker_app):
    with http_receiver() as (base, received):
        SubscriptionFactory(name="sre slack", team=None, channel="slack", target=f"{base}/slack")
        endpoint_world(team=team_a, replicas=with_extra_replica)
        with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            args = ("hour", hour_at(8, 0).isoformat(), hour_at(9, 0).isoformat())
            first = detect_task.delay(*args).get(timeout=120)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not received.requests:
                time.sleep(0.2)
            second = detect_task.delay(*args).get(timeout=120)
        assert first["created"] == 4
        assert second["created"] == 0
        assert [r["path"] for r in received.requests] == ["/slack"]
        assert Delivery.objects.get().status == DeliveryStatus.SENT
