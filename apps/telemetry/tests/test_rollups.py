import json
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services.api_token import api_token_issue
from apps.common.errors import ValidationFailed
from apps.common.sql import load_sql
from apps.telemetry.histogram import BUCKET_COUNT, LATENCY_BUCKET_BOUNDS_MS, latency_bucket
from apps.telemetry.models import TelemetryRollupHourly
from apps.telemetry.selectors import raw_totals, rollup_totals
from apps.telemetry.services import event_store
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.rollup_apply import (
    ROLLUP_LOCK_ID,
    events_to_rollups_add,
    pending_events,
    telemetry_rollups_apply,
)
from apps.telemetry.services.rollup_rebuild import rollup_rebuild
from apps.telemetry.tests.factories import event, recent_ts

ROLLUP_SQL = load_sql("telemetry", "add_events_to_rollups")


def ingest(events):
    """Ingest, then add the stored batch to the rollups (as the queued apply would)."""
    result = telemetry_events_ingest(
        events=events, team_ids=None, now=timezone.now(), retention_days=90
    )
    telemetry_rollups_apply()
    return result


def rebuild(start, end):
    return rollup_rebuild(start=start, end=end, now=timezone.now(), retention_days=90)


def rollup_rows():
    return list(
        TelemetryRollupHourly.objects.order_by(
            "hour", "endpoint_id", "model_version", "lane", "accelerator", "resource_id", "customer"
        ).values(
            "hour", "endpoint_id", "model_version", "lane", "accelerator", "resource_id",
            "customer", "requests", "errors", "timeouts", "input_tokens", "output_tokens",
            "cached_input_tokens", "latency_ms_sum", "gpu_ms_sum", "cache_hits",
            "duplicate_prompts", "latency_histogram",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_sql_histogram_buckets_match_python_bounds():
    bounds = re.search(
        r"width_bucket\(latency_ms::float8, '\{([0-9,]+)\}'::float8\[\]\)", ROLLUP_SQL
    )
    assert tuple(int(b) for b in bounds.group(1).split(",")) == LATENCY_BUCKET_BOUNDS_MS
    assert ROLLUP_SQL.count("count(*) FILTER (WHERE b = ") == BUCKET_COUNT
    samples = [0, 1, 2, 4, 9, 10, 11, 999, 1000, 299_999, 300_000, 86_400_000]
    samples += list(LATENCY_BUCKET_BOUNDS_MS)
    with connection.cursor() as cur:
        for value in samples:
            cur.execute(
                f"SELECT width_bucket(%s::bigint::float8, '{{{bounds.group(1)}}}'::float8[])",
                [value],
            )
            assert cur.fetchone()[0] == latency_bucket(value), value


@pytest.mark.django_db
def test_histogram_update_adds_every_bucket(endpoint_a):
    latencies = [0, *LATENCY_BUCKET_BOUNDS_MS]  # one event in each of the 34 buckets
    ingest([event(endpoint_a.name, latency_ms=ms) for ms in latencies])
    ingest([event(endpoint_a.name, latency_ms=ms) for ms in latencies])  # the upsert path
    assert TelemetryRollupHourly.objects.get().latency_histogram == [2] * BUCKET_COUNT


@pytest.mark.django_db
def test_gpu_time_is_latency_times_accelerators_over_batch_size(endpoint_a):
    ingest([event(endpoint_a.name, latency_ms=1000, batch_size=3)])
    rollup = TelemetryRollupHourly.objects.get()
    assert rollup.gpu_ms_sum == Decimal("666.667")  # 1000 ms x 2 GPUs / 3, rounded per event


@pytest.mark.django_db
def test_measured_gpu_time_in_attributes_overrides_the_estimate(endpoint_a):
    ingest(
        [
            event(endpoint_a.name, latency_ms=1000, attributes={"gpu_ms": 4200.5}),
            event(endpoint_a.name, latency_ms=1000, attributes={"gpu_ms": "not a number"}),
            event(endpoint_a.name, latency_ms=1000, attributes={"gpu_ms": -1}),
        ]
    )
    rollup = TelemetryRollupHourly.objects.get()
    assert rollup.gpu_ms_sum == Decimal("4200.5") + 2 * Decimal("2000")  # two fall back


@pytest.mark.django_db
def test_repeated_prompt_hash_on_same_day_counts_as_duplicate_prompt(endpoint_a):
    ingest([event(endpoint_a.name, prompt_hash="p1") for _ in range(3)] + [event(endpoint_a.name)])
    ingest([event(endpoint_a.name, prompt_hash="p1"), event(endpoint_a.name, prompt_hash="p2")])
    assert TelemetryRollupHourly.objects.get().duplicate_prompts == 3


@pytest.mark.django_db
def test_a_sighting_in_a_rolled_back_batch_is_not_remembered(endpoint_a):
    def ingest_then_fail() -> None:
        with transaction.atomic():
            ingest([event(endpoint_a.name, prompt_hash="p-rolled-back")])
            raise RuntimeError  # the batch, and its sighting, roll back

    with pytest.raises(RuntimeError):
        ingest_then_fail()
    assert not any(key[2] == "p-rolled-back" for key in event_store._SIGHTINGS.keys)
    ingest([event(endpoint_a.name, prompt_hash="p-rolled-back")])
    assert TelemetryRollupHourly.objects.get().duplicate_prompts == 0


@pytest.mark.django_db(transaction=True)
def test_committed_sightings_are_remembered_and_still_flag_duplicates(endpoint_a, clean_raw_events):
    ingest([event(endpoint_a.name, prompt_hash="p-kept"), event(endpoint_a.name)])
    day = recent_ts().date()
    assert (endpoint_a.id, day, "p-kept") in event_store._SIGHTINGS.keys
    ingest([event(endpoint_a.name, prompt_hash="p-kept"), event(endpoint_a.name, prompt_hash="p2")])
    assert TelemetryRollupHourly.objects.get().duplicate_prompts == 1
    assert raw_totals() == rollup_totals()


@pytest.mark.django_db
def test_late_and_duplicate_events_keep_rollups_equal_to_a_rebuild(endpoint_a, endpoint_b):
    first = [event(endpoint_a.name, latency_ms=5 * i, status="error" if i % 7 == 0 else "ok")
             for i in range(40)]  # fmt: skip
    late = [event(endpoint_b.name, ts=recent_ts(30).isoformat(), customer=f"c{i % 3}",
                  prompt_hash=f"h{i % 4}", cache_hit=i % 2 == 0) for i in range(25)]  # fmt: skip
    ingest(first)
    ingest(late + first[:10])
    ingest(first[5:15] + late[3:9])
    incremental = rollup_rows()
    assert sum(r["requests"] for r in incremental) == 65
    assert raw_totals() == rollup_totals()
    start, end = recent_ts(48), recent_ts(-2)
    written = rebuild(start, end)
    assert written == len(incremental)
    assert rollup_rows() == incremental
    rebuild(start, end)
    assert rollup_rows() == incremental


@pytest.mark.django_db
def test_one_apply_upserts_into_stored_hours_and_inserts_new_hours_like_a_rebuild(
    endpoint_a, endpoint_b
):
    """An apply inserts the groups of hours without rollups plainly and upserts the rest; a
    batch touching both kinds of hour ends as a rebuild would, and the count is every row."""
    ingest([event(endpoint_a.name, customer="c1") for _ in range(2)])
    stored = rollup_rows()
    telemetry_events_ingest(
        events=[
            event(endpoint_a.name, customer="c1", latency_ms=9),  # a stored row, stored hour
            event(endpoint_a.name, customer="c2"),  # a new row in a stored hour
            event(endpoint_a.name, ts=recent_ts(30).isoformat()),  # new hours
            event(endpoint_b.name, ts=recent_ts(30).isoformat()),
            event(endpoint_b.name, ts=recent_ts(31).isoformat()),
        ],
        team_ids=None,
        now=timezone.now(),
        retention_days=90,
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_ID])
        cur.execute("SELECT id FROM telemetry_telemetrypendingbatch")
        (batch,) = cur.fetchone()
        cur.execute("DELETE FROM telemetry_telemetrypendingbatch")
        written = events_to_rollups_add(
            cur, start=recent_ts(48), end=recent_ts(-2), batches=[batch]
        )
    assert written == 5
    applied = rollup_rows()
    assert len(applied) == len(stored) + 4
    c1 = [r for r in applied if r["customer"] == "c1"]
    assert [(r["requests"], r["latency_ms_sum"]) for r in c1] == [(3, 2 * 250 + 9)]
    assert raw_totals() == rollup_totals()
    assert rebuild(recent_ts(48), recent_ts(-2)) == len(applied)
    assert rollup_rows() == applied


@pytest.mark.django_db
def test_rollup_rebuild_command_restores_a_corrupted_hour(endpoint_a, capsys):
    ingest([event(endpoint_a.name) for _ in range(6)])
    expected = rollup_rows()
    TelemetryRollupHourly.objects.update(requests=999)
    hour = expected[0]["hour"]
    call_command("rollup_rebuild", hour.isoformat(), (hour + timedelta(hours=1)).isoformat())
    assert "1 rollup rows rebuilt" in capsys.readouterr().out
    assert rollup_rows() == expected


@pytest.mark.django_db
def test_rebuild_before_the_retention_window_is_refused(endpoint_a):
    ingest([event(endpoint_a.name)])
    with pytest.raises(ValidationFailed, match="past retention"):
        rollup_rebuild(
            start=recent_ts(24 * 10), end=recent_ts(0), now=timezone.now(), retention_days=5
        )
    assert TelemetryRollupHourly.objects.get().requests == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_batches_keep_rollups_exact(
    sre_user, endpoint_a, endpoint_b, clean_raw_events
):
    # 200 distinct events over two endpoints, three hours (one of them a day without a
    # partition yet), shared prompt hashes; six writers each send overlapping slices while
    # two appliers and a rebuild of the whole range run beside them.
    pool = [
        event(
            (endpoint_a if i % 2 else endpoint_b).name,
            ts=recent_ts(24 * 3 * (i % 3 == 0) + i % 3).isoformat(),
            latency_ms=i * 3,
            prompt_hash=f"h{i % 17}",
            customer=f"c{i % 5}",
        )
        for i in range(200)
    ]
    _, secret = api_token_issue(user=sre_user, scopes=["ingest:telemetry"])
    slices = [pool[s : s + 90] for s in (0, 20, 50, 80, 110, 0)]
    results: list[dict] = []
    failures: list[BaseException] = []

    def writer(batch: list[dict]) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            for chunk in (batch[:45], batch[45:], batch):
                response = client.post(
                    "/api/v1/telemetry/events", json.dumps(chunk), content_type="application/json"
                )
                assert response.status_code == 200, response.content
                results.append(response.json())
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    writing = threading.Event()
    writing.set()
    applied: list[int] = []

    def applier() -> None:
        try:
            while writing.is_set():
                applied.append(telemetry_rollups_apply())
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    def rebuilder() -> None:
        try:
            for _ in range(3):
                rebuild(recent_ts(24 * 4), recent_ts(-1))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=writer, args=(s,)) for s in slices]
    helpers = [threading.Thread(target=applier) for _ in range(2)]
    helpers.append(threading.Thread(target=rebuilder))
    for thread in writers + helpers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in helpers:
        thread.join()
    assert failures == []
    telemetry_rollups_apply()
    assert pending_events() == (0, None)
    assert sum(applied) > 0  # the appliers did take batches while writers ran
    covered = {e["request_id"] for s in slices for e in s}
    assert sum(r["accepted"] for r in results) == len(covered)
    assert sum(r["accepted"] + r["duplicates"] for r in results) == sum(2 * len(s) for s in slices)
    assert raw_totals()["requests"] == len(covered)
    assert raw_totals() == rollup_totals()
    incremental = rollup_rows()
    rebuild(recent_ts(24 * 4), recent_ts(-1))
    assert rollup_rows() == incremental
