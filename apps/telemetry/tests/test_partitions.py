from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.telemetry.models import TelemetryEventKey
from apps.telemetry.selectors import rollup_totals
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.partitions import telemetry_partitions_maintain
from apps.telemetry.tasks import telemetry_partitions_maintain_task
from apps.telemetry.tests.factories import event, recent_ts

pytestmark = pytest.mark.django_db


def partition_days() -> list:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'telemetry_event'::regclass ORDER BY 1"
        )
        return [row[0] for row in cur.fetchall()]


def test_maintenance_creates_days_ahead_and_drops_expired_twice_safely(endpoint_a):
    now = timezone.now()
    old = recent_ts(24 * 10)
    telemetry_events_ingest(
        events=[event(endpoint_a.name, ts=old.isoformat())],
        team_ids=None,
        now=now,
        retention_days=30,
    )
    assert f"telemetry_event_p{old:%Y%m%d}" in partition_days()
    for _ in range(2):
        created, dropped = telemetry_partitions_maintain(now=now, retention_days=5, ahead_days=2)
    names = partition_days()
    assert f"telemetry_event_p{old:%Y%m%d}" not in names
    for offset in range(3):
        assert f"telemetry_event_p{now + timedelta(days=offset):%Y%m%d}" in names
    assert (created, dropped) == ([], [])
    assert TelemetryEventKey.objects.count() == 0
    # The event was still pending when its partition was dropped: it was counted first.
    assert rollup_totals()["requests"] == 1


def test_maintenance_task_runs_with_settings(settings):
    settings.TELEMETRY_PARTITIONS_AHEAD_DAYS = 1
    telemetry_partitions_maintain_task.run()
    assert f"telemetry_event_p{timezone.now() + timedelta(days=1):%Y%m%d}" in partition_days()


def test_maintenance_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "telemetry.partitions_maintain" in tasks
