from datetime import UTC, datetime, time, timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.telemetry.models import TelemetryEventKey
from apps.telemetry.selectors import rollup_totals
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.partitions import (
    KNOWN_PARTITIONS,
    telemetry_partitions_ensure,
    telemetry_partitions_maintain,
)
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


def test_new_partition_is_attached_beside_writers_in_flight(endpoint_a):
    """A backfill reaching a new day creates its partition while another transaction is
    writing to telemetry_event (CREATE TABLE … PARTITION OF would wait for it, and hold every
    later ingest behind it)."""
    day = (timezone.now() - timedelta(days=3)).date()
    name = f"telemetry_event_p{day:%Y%m%d}"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as writer:
        # Committed before the writer's lock: the partition check must see the dropped day.
        writer.execute("LOCK TABLE telemetry_event IN ROW EXCLUSIVE MODE")
        with connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '2s'")
        assert telemetry_partitions_ensure(days={day}) == [day]
        writer.rollback()
    assert name in partition_days()
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        assert any("ingest_batch" in row[0] for row in cur.fetchall())
    result = telemetry_events_ingest(
        events=[event(endpoint_a.name, ts=datetime.combine(day, time(12), tzinfo=UTC).isoformat())],
        team_ids=None,
        now=timezone.now(),
        retention_days=30,
    )
    assert result.accepted == 1
    with connection.cursor() as cur:
        cur.execute(f"SELECT received_at IS NOT NULL FROM {name}")  # noqa: S608 - a date
        assert cur.fetchone() == (True,)


def test_partitions_seen_in_the_last_minute_are_not_checked_again(monkeypatch):
    day = timezone.now().date()
    assert telemetry_partitions_ensure(days={day}) in ([], [day])  # exists afterwards
    KNOWN_PARTITIONS.remember({day})
    with CaptureQueriesContext(connection) as queries:
        assert telemetry_partitions_ensure(days={day}) == []
    assert len(queries) == 0
    monkeypatch.setattr(KNOWN_PARTITIONS, "TRUST_SECONDS", 0.0)  # the minute has passed
    with CaptureQueriesContext(connection) as queries:
        assert telemetry_partitions_ensure(days={day}) == []
    assert any("pg_inherits" in q["sql"] for q in queries)
