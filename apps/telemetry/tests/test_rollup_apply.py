"""Rollups take committed ingest batches after the ingest transaction, each exactly once."""

import json
import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.services.endpoint_delete import endpoint_delete
from apps.telemetry.models import TelemetryPendingBatch, TelemetryRollupHourly
from apps.telemetry.selectors import raw_totals, rollup_totals
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.rollup_apply import (
    APPLY_QUEUED_KEY,
    ROLLUP_LOCK_ID,
    pending_batches_add,
    pending_events,
    telemetry_rollups_apply,
)
from apps.telemetry.services.rollup_rebuild import rollup_rebuild
from apps.telemetry.tests.factories import event, recent_ts


def store(events):
    """Ingest without applying: the batch stays pending."""
    return telemetry_events_ingest(
        events=events, team_ids=None, now=timezone.now(), retention_days=90
    )


@pytest.mark.django_db
def test_a_stored_batch_is_pending_until_applied_then_applied_once(endpoint_a):
    store([event(endpoint_a.name) for _ in range(3)])
    store([event(endpoint_a.name, ts=recent_ts(30).isoformat()) for _ in range(2)])
    assert TelemetryRollupHourly.objects.count() == 0
    assert pending_events()[0] == 5
    assert [b.events for b in TelemetryPendingBatch.objects.order_by("id")] == [3, 2]
    assert telemetry_rollups_apply() == 5
    assert pending_events() == (0, None)
    assert raw_totals() == rollup_totals()
    before = list(TelemetryRollupHourly.objects.order_by("hour").values("hour", "requests"))
    assert [r["requests"] for r in before] == [2, 3]
    assert telemetry_rollups_apply() == 0
    assert list(TelemetryRollupHourly.objects.order_by("hour").values("hour", "requests")) == before


@pytest.mark.django_db
def test_a_batch_spanning_days_and_a_small_transaction_limit_apply_everything(endpoint_a):
    for hours in ((1, 30), (50,), (2, 75, 3)):
        store([event(endpoint_a.name, ts=recent_ts(h).isoformat()) for h in hours])
    first = TelemetryPendingBatch.objects.order_by("id").first()
    assert first.first_day < first.last_day
    assert telemetry_rollups_apply(batches_per_transaction=1) == 6
    assert raw_totals() == rollup_totals()
    assert TelemetryRollupHourly.objects.count() == 6


@pytest.mark.django_db
def test_only_the_taken_batches_rows_are_added(endpoint_a):
    # Rows of one hour from two batches: the first is applied alone, the second stays pending.
    store([event(endpoint_a.name, latency_ms=10)])
    telemetry_rollups_apply()
    store([event(endpoint_a.name, latency_ms=20), event(endpoint_a.name, latency_ms=30)])
    assert TelemetryRollupHourly.objects.get().latency_ms_sum == 10
    telemetry_rollups_apply()
    rollup = TelemetryRollupHourly.objects.get()
    assert (rollup.requests, rollup.latency_ms_sum) == (3, 60)


@pytest.mark.django_db
def test_rebuild_takes_pending_batches_first_so_none_is_counted_twice(endpoint_a):
    store([event(endpoint_a.name) for _ in range(4)])
    store([event(endpoint_a.name, ts=recent_ts(40).isoformat())])  # outside the rebuilt range
    rollup_rebuild(start=recent_ts(3), end=recent_ts(-1), now=timezone.now(), retention_days=90)
    assert pending_events() == (0, None)
    assert telemetry_rollups_apply() == 0
    assert raw_totals() == rollup_totals()


@pytest.mark.django_db
def test_usage_api_counts_events_committed_before_the_request(
    ingest_client, client_for, sre_user, endpoint_a
):
    response = ingest_client.post(
        "/api/v1/telemetry/events",
        json.dumps([event(endpoint_a.name) for _ in range(3)]),
        content_type="application/json",
    )
    assert response.json()["accepted"] == 3
    start, end = recent_ts(2), recent_ts(-1)
    usage = client_for(sre_user).get(
        "/api/v1/usage", {"start": start.isoformat(), "end": end.isoformat()}
    )
    assert usage.status_code == 200, usage.content
    assert sum(row["requests"] for row in usage.json()["results"]) == 3


@pytest.mark.django_db(transaction=True)
def test_each_committed_ingest_queues_an_apply_that_a_worker_runs(
    worker_app, ingest_client, endpoint_a, clean_raw_events
):
    cache.delete(APPLY_QUEUED_KEY)
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        for size in (5, 7):
            response = ingest_client.post(
                "/api/v1/telemetry/events",
                json.dumps([event(endpoint_a.name) for _ in range(size)]),
                content_type="application/json",
            )
            assert response.json()["accepted"] == size
        deadline = time.monotonic() + 30
        while pending_events()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert pending_events() == (0, None)
    assert rollup_totals()["requests"] == 12
    assert raw_totals() == rollup_totals()
    assert cache.get(APPLY_QUEUED_KEY) is None  # the last task cleared it when it started


@pytest.mark.django_db
def test_allocation_and_anomaly_detection_apply_pending_batches_first(endpoint_a):
    from apps.anomalies.services.anomalies_detect import anomalies_detect
    from apps.attribution.services.period_allocate import period_allocate

    store([event(endpoint_a.name)])
    period_allocate(period_start=recent_ts().date().replace(day=1), triggered_by="test")
    assert pending_events() == (0, None)
    assert rollup_totals()["requests"] == 1
    store([event(endpoint_a.name)])
    anomalies_detect(granularity="hour", start=recent_ts(3), end=recent_ts(-1))
    assert pending_events() == (0, None)
    assert rollup_totals()["requests"] == 2


@pytest.mark.django_db
def test_events_of_a_deleted_endpoint_are_skipped_not_a_failed_apply_forever(
    endpoint_a, endpoint_b
):
    """An endpoint deleted while its events are pending (or before a rebuild of their hours):
    its rollups went with it, and the apply must not write rows for it again."""
    store([event(endpoint_a.name), event(endpoint_b.name), event(endpoint_b.name)])
    endpoint_delete(endpoint_ids=[endpoint_b.pk])
    assert telemetry_rollups_apply() == 3  # the batch is taken whole
    assert pending_events() == (0, None)
    assert list(TelemetryRollupHourly.objects.values_list("endpoint_id", "requests")) == [
        (endpoint_a.pk, 1)
    ]
    now = timezone.now()
    rollup_rebuild(start=now - timedelta(hours=3), end=now, now=now, retention_days=90)
    assert list(TelemetryRollupHourly.objects.values_list("endpoint_id", "requests")) == [
        (endpoint_a.pk, 1)
    ]


def _in_thread(target) -> threading.Thread:
    """Run ``target`` on its own database connection, closed when it returns."""

    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _blocked(thread: threading.Thread, seconds: float = 0.5) -> bool:
    thread.join(seconds)
    return thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_endpoint_waits_for_the_apply_in_flight_then_removes_what_it_wrote(
    endpoint_a, endpoint_b, clean_raw_events
):
    """The rollups have no foreign key: the apply key-share locks the endpoints it writes for,
    and the delete locks the endpoint first, so no rollup row outlives its endpoint."""
    store([event(endpoint_a.name), event(endpoint_b.name), event(endpoint_b.name)])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_ID])
        assert pending_batches_add(cur, upto=10**9, limit=10) == (1, 3)
        deleting = _in_thread(lambda: endpoint_delete(endpoint_ids=[endpoint_b.pk]))
        assert _blocked(deleting)  # waits for the apply's commit
    deleting.join(10)
    assert not deleting.is_alive()
    assert list(TelemetryRollupHourly.objects.values_list("endpoint_id", "requests")) == [
        (endpoint_a.pk, 1)
    ]


@pytest.mark.django_db(transaction=True)
def test_an_apply_that_starts_during_an_endpoint_delete_skips_that_endpoint(
    endpoint_a, endpoint_b, clean_raw_events
):
    store([event(endpoint_a.name), event(endpoint_b.name)])
    locked, release = threading.Event(), threading.Event()

    def delete_slowly() -> None:
        with transaction.atomic():
            endpoint_delete(endpoint_ids=[endpoint_b.pk])  # row locked, cascade done
            locked.set()
            release.wait(10)

    deleting = _in_thread(delete_slowly)
    assert locked.wait(10)
    applying = _in_thread(telemetry_rollups_apply)
    assert _blocked(applying)  # its key-share lock waits for the delete
    release.set()
    deleting.join(10)
    applying.join(10)
    assert not applying.is_alive()
    assert pending_events() == (0, None)
    assert list(TelemetryRollupHourly.objects.values_list("endpoint_id", "requests")) == [
        (endpoint_a.pk, 1)
    ]


@pytest.mark.django_db
def test_deleting_an_endpoint_through_the_api_or_the_admin_removes_its_rollups(
    endpoint_a, endpoint_b, client_for, admin_user
):
    """The rollups have no database foreign key: deleting an endpoint by either interface
    (both call ``endpoint_delete``) still removes them with it."""
    from django.contrib.admin.sites import site

    from apps.catalog.models import ModelEndpoint

    store([event(endpoint_a.name), event(endpoint_b.name)])
    telemetry_rollups_apply()
    response = client_for(admin_user).delete(f"/api/v1/catalog/endpoints/{endpoint_b.name}/")
    assert response.status_code == 204, response.content
    assert list(TelemetryRollupHourly.objects.values_list("endpoint_id", flat=True)) == [
        endpoint_a.pk
    ]
    site._registry[ModelEndpoint].delete_queryset(None, ModelEndpoint.objects.all())
    assert not ModelEndpoint.objects.exists()
    assert not TelemetryRollupHourly.objects.exists()
    assert endpoint_delete(endpoint_ids=[endpoint_a.pk]) == 0  # already gone: nothing to do
