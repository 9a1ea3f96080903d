"""Recompute hourly rollups from raw events."""

from datetime import datetime, timedelta

from django.db import connection, transaction

from apps.common.clock import day_start
from apps.common.errors import ValidationFailed
from apps.common.sql import load_sql
from apps.telemetry.services.partitions import oldest_kept_day


def hour_floor(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def hour_ceil(value: datetime) -> datetime:
    floor = hour_floor(value)
    return floor if floor == value else floor + timedelta(hours=1)


@transaction.atomic
def rollup_rebuild(*, start: datetime, end: datetime, now: datetime, retention_days: int) -> int:
    """Rewrite the rollups of the hours overlapping [start, end) from ``telemetry_event``.

    Idempotent; returns the number of rollup rows written. Ingest is paused for the duration
    (SHARE ROW EXCLUSIVE on the rollup table conflicts with the merge's ROW EXCLUSIVE), so the
    rebuilt rows include every committed event and no concurrent merge adds on top of a
    half-written range. Ranges reaching before the retention window are refused: their raw
    partitions may be dropped, and rebuilding would erase rollups that are the only record.
    """
    oldest = day_start(oldest_kept_day(now=now, retention_days=retention_days))
    if hour_floor(start) < oldest:
        raise ValidationFailed(
            f"Cannot rebuild before {oldest:%Y-%m-%d}: raw events there are past retention."
        )
    params = {"start": hour_floor(start), "end": hour_ceil(end)}
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE telemetry_telemetryrolluphourly IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(load_sql("telemetry", "delete_rollups"), params)
        cur.execute(load_sql("telemetry", "rebuild_rollups"), params)
        return cur.rowcount
