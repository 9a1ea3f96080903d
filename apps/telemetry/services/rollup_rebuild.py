"""Recompute hourly rollups from raw events."""

from datetime import datetime, timedelta

from django.db import connection, transaction

from apps.common.clock import day_start
from apps.common.errors import ValidationFailed
from apps.common.sql import load_sql
from apps.telemetry.services.partitions import oldest_kept_day
from apps.telemetry.services.rollup_apply import (
    ROLLUP_LOCK_ID,
    events_to_rollups_add,
    pending_batches_add,
)


def hour_floor(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def hour_ceil(value: datetime) -> datetime:
    floor = hour_floor(value)
    return floor if floor == value else floor + timedelta(hours=1)


@transaction.atomic
def rollup_rebuild(*, start: datetime, end: datetime, now: datetime, retention_days: int) -> int:
    """Rewrite the rollups of the hours overlapping [start, end) from ``telemetry_event``.

    Idempotent; returns the number of rollup rows written. Under the rollup advisory lock
    (no apply runs meanwhile) and a lock on the pending-batch table that waits for ingests in
    flight and holds new ones back until commit, every pending batch is first added to the
    rollups; then the range is deleted and recomputed from the raw rows. So no batch is
    counted twice (once by the rebuild, once by a later apply). Ranges reaching before the
    retention window are refused: their raw partitions may be dropped, and rebuilding would
    erase rollups that are the only record.
    """
    oldest = day_start(oldest_kept_day(now=now, retention_days=retention_days))
    if hour_floor(start) < oldest:
        raise ValidationFailed(
            f"Cannot rebuild before {oldest:%Y-%m-%d}: raw events there are past retention."
        )
    params = {"start": hour_floor(start), "end": hour_ceil(end), "batches": None}
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_ID])
        cur.execute("LOCK TABLE telemetry_telemetrypendingbatch IN SHARE ROW EXCLUSIVE MODE")
        cur.execute("SELECT max(id) FROM telemetry_telemetrypendingbatch")
        upto = cur.fetchone()[0]
        if upto is not None:
            pending_batches_add(cur, upto=upto, limit=upto)
        cur.execute(load_sql("telemetry", "delete_rollups"), params)
        return events_to_rollups_add(cur, **params)
