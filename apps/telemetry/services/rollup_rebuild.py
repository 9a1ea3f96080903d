"""Recompute hourly rollups from raw events."""

from datetime import datetime, timedelta

from django.db import connection, transaction

from apps.common.sql import load_sql


def hour_floor(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def hour_ceil(value: datetime) -> datetime:
    floor = hour_floor(value)
    return floor if floor == value else floor + timedelta(hours=1)


@transaction.atomic
def rollup_rebuild(*, start: datetime, end: datetime) -> int:
    """Rewrite the rollups of the hours overlapping [start, end) from ``telemetry_event``.

    Idempotent; returns the number of rollup rows written. Ingest is paused for the duration
    (SHARE ROW EXCLUSIVE on the rollup table conflicts with the merge's ROW EXCLUSIVE), so the
    rebuilt rows include every committed event and no concurrent merge adds on top of a
    half-written range.
    """
    params = {"start": hour_floor(start), "end": hour_ceil(end)}
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE telemetry_telemetryrolluphourly IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(load_sql("telemetry", "delete_rollups"), params)
        cur.execute(load_sql("telemetry", "rebuild_rollups"), params)
        return cur.rowcount
