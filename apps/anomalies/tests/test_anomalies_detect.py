from datetime import timedelta
from decimal import Decimal

import pytest

from apps.anomalies.choices import AnomalyStatus, Feedback
from apps.anomalies.models import Anomaly, Delivery, Monitor
from apps.anomalies.services.anomalies_detect import anomalies_detect
from apps.anomalies.services.anomaly_actions import anomaly_feedback
from apps.anomalies.tests.factories import SubscriptionFactory, endpoint_world, hour_at

pytestmark = pytest.mark.django_db

JUMP = hour_at(8, 10)


def with_extra_replica(at):
    return ["i-a", "i-b", "i-c"] if at >= JUMP else ["i-a", "i-b"]


def endpoint_anomalies():
    return Anomaly.objects.filter(monitor__key="endpoint:rank:hour").order_by("start_at")


def test_extra_replica_opens_one_anomaly_naming_it_and_a_rerun_changes_nothing(team_a):
    endpoint_world(team=team_a, replicas=with_extra_replica)
    first = anomalies_detect(granularity="hour", start=hour_at(7, 0), end=hour_at(9, 0))
    anomalies = list(endpoint_anomalies())
    assert len(anomalies) == 1
    anomaly = anomalies[0]
    assert anomaly.start_at == JUMP
    assert anomaly.end_at == hour_at(9, 0)
    assert (anomaly.signal, anomaly.direction, anomaly.status) == ("cost", "up", "open")
    assert anomaly.contributors[0]["dimension"] == "resource_id"
    assert anomaly.contributors[0]["value"] == "i-c"
    # 14 hours at $3 instead of $2; no more requests, so it is all unit cost.
    assert anomaly.actual_cost == Decimal(42)
    assert anomaly.impact == Decimal(14)
    assert anomaly.usage_effect == Decimal(0)
    assert anomaly.unit_cost_effect == Decimal(14)
    second = anomalies_detect(granularity="hour", start=hour_at(7, 0), end=hour_at(9, 0))
    assert first.created == 4  # endpoint, team, instance type and account series
    assert second.created == 0
    assert second.updated == 0
    assert list(endpoint_anomalies().values_list("id", flat=True)) == [anomaly.id]


def test_hourly_runs_through_a_sustained_incident_keep_one_alert(team_a):
    endpoint_world(team=team_a, replicas=with_extra_replica)
    SubscriptionFactory(team=None)
    for hour in range(8):
        at = hour_at(8, 8) + timedelta(hours=hour)
        anomalies_detect(granularity="hour", start=at, end=at + timedelta(hours=1))
    anomaly = endpoint_anomalies().get()
    assert anomaly.status == AnomalyStatus.OPEN
    assert anomaly.start_at == JUMP
    events = list(
        Delivery.objects.filter(anomaly=anomaly)
        .order_by("revision")
        .values_list("event", flat=True)
    )
    # Opened once (the team, instance-type and account views of the same incident are linked to
    # it, not alerted), then re-announced only when the impact doubled: $2 (confirmed at the
    # second anomalous hour), then $4; by 16:00 it is $6, short of the next doubling.
    assert events == ["opened", "escalated"]
    assert anomaly.impact == Decimal(6)
    related = Anomaly.objects.exclude(pk=anomaly.pk)
    assert related.count() == 3
    assert set(related.values_list("parent_id", flat=True)) == {anomaly.id}
    assert not Delivery.objects.exclude(anomaly=anomaly).exists()


def test_expected_feedback_rebaselines_so_the_new_level_is_normal(team_a, sre_user):
    endpoint_world(team=team_a, replicas=with_extra_replica)
    anomalies_detect(granularity="hour", start=hour_at(7, 0), end=hour_at(9, 0))
    anomaly = endpoint_anomalies().get()
    anomaly_feedback(anomaly_id=anomaly.id, user=sre_user, feedback=Feedback.EXPECTED)
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.RESOLVED
    monitor = Monitor.objects.get(key="endpoint:rank:hour")
    assert float(monitor.baseline_shifts[0]["factor"]) == pytest.approx(1.5)
    summary = anomalies_detect(granularity="hour", start=hour_at(9, 0), end=hour_at(10, 0))
    assert summary.created == 0
    assert not endpoint_anomalies().exclude(status=AnomalyStatus.RESOLVED).exists()


def test_not_an_anomaly_feedback_suppresses_the_same_blip_later(team_a, sre_user):
    # Three extra replicas for 4 hours, on day 1 and again on day 9 (out of the first one's
    # 7-day window, so without feedback the second is raised like the first).
    def blips(at):
        blip = hour_at(1, 10) <= at < hour_at(1, 14) or hour_at(9, 10) <= at < hour_at(9, 14)
        return ["i-a", "i-b", "i-c", "i-d", "i-e"] if blip else ["i-a", "i-b"]

    endpoint_world(team=team_a, replicas=blips)
    anomalies_detect(granularity="hour", start=hour_at(1, 0), end=hour_at(2, 0))
    first = endpoint_anomalies().get()
    assert first.impact == Decimal(12)
    anomaly_feedback(anomaly_id=first.id, user=sre_user, feedback=Feedback.NOT_ANOMALY)
    monitor = Monitor.objects.get(key="endpoint:rank:hour")
    assert monitor.sensitivity == 1.5
    assert monitor.suppress_below_impact == Decimal(15)
    summary = anomalies_detect(granularity="hour", start=hour_at(9, 0), end=hour_at(10, 0))
    assert summary.suppressed == 1
    assert list(endpoint_anomalies()) == [first]


def test_requests_dropping_to_zero_on_a_paid_endpoint_is_news(team_a):
    endpoint_world(team=team_a, requests=lambda at: 0 if at >= hour_at(8, 12) else 100)
    anomalies_detect(granularity="hour", start=hour_at(8, 0), end=hour_at(9, 0))
    anomaly = endpoint_anomalies().get()
    assert (anomaly.signal, anomaly.direction) == ("requests", "down")
    assert anomaly.start_at == hour_at(8, 12)
    assert anomaly.impact < 0
