"""Daily partitions of ``telemetry_event``: create ahead or on demand, drop past retention."""

import math
import time
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from psycopg import sql

from apps.common.clock import day_start
from apps.common.sql import load_sql
from apps.telemetry.models import TelemetryEventKey, TelemetryPromptSeen
from apps.telemetry.services.rollup_apply import after_rollups_applied

# Serialises partition DDL between processes (an arbitrary constant, unique to this purpose).
_PARTITION_LOCK_ID = 7_310_001


def partition_name(day: date) -> str:
    return f"telemetry_event_p{day:%Y%m%d}"


def _execute(cur: object, statement: sql.Composable) -> None:
    cur.execute(statement.as_string(cur.connection))


class _KnownPartitions:
    """UTC days this process saw a partition for, and when (monotonic seconds).

    Retention drops only days before the accepted window, so a day an ingest may write keeps
    its partition; a partition dropped by hand is noticed within ``TRUST_SECONDS``.
    """

    TRUST_SECONDS = 60.0

    def __init__(self) -> None:
        self.seen: dict[date, float] = {}

    def unknown(self, days: set[date] | list[date]) -> set[date]:
        trusted_since = time.monotonic() - self.TRUST_SECONDS
        return {day for day in days if self.seen.get(day, -math.inf) < trusted_since}

    def remember(self, days: set[date]) -> None:
        if len(self.seen) > 1000:  # noqa: PLR2004 - far more days than any retention
            self.seen.clear()
        now = time.monotonic()
        self.seen.update(dict.fromkeys(days, now))

    def clear(self) -> None:
        self.seen.clear()


KNOWN_PARTITIONS = _KnownPartitions()


def telemetry_partitions_ensure(*, days: set[date] | list[date]) -> list[date]:
    """Make sure a partition exists for each UTC day; returns the days that were created.

    Idempotent. Days this process saw a partition for in the last minute are not checked
    again (an ingest calls this for every batch). The check is one query; DDL runs only for
    missing days, under an advisory lock so two processes never race on the same CREATE.
    Callers run it in its own short transaction before an ingest, so that a new partition is
    committed, and routes rows, before the ingest's COPY sends any.
    """
    unknown = KNOWN_PARTITIONS.unknown(days)
    if not unknown:
        return []
    created = _partitions_create(days=unknown)
    # Known once committed (at once, outside a transaction).
    transaction.on_commit(lambda: KNOWN_PARTITIONS.remember(unknown))
    return created


@transaction.atomic
def _partitions_create(*, days: set[date]) -> list[date]:
    with connection.cursor() as cur:
        cur.execute(load_sql("telemetry", "select_missing_partitions"), {"days": sorted(days)})
        missing = [row[0] for row in cur.fetchall()]
        if not missing:
            return []
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PARTITION_LOCK_ID])
        cur.execute(load_sql("telemetry", "select_missing_partitions"), {"days": missing})
        missing = [row[0] for row in cur.fetchall()]  # those another process did not create
        for day in missing:
            _partition_attach(cur, day)
    return missing


def _partition_attach(cur: object, day: date) -> None:
    """Create the day's partition as a table of its own, then attach it.

    ``CREATE TABLE … PARTITION OF`` would lock the whole of ``telemetry_event`` exclusively:
    it waits for every ingest and rollup apply in flight, and every ingest that comes after
    waits behind it (seen as stalls of up to a second when a backfill reached a new day).
    ATTACH PARTITION takes a lock that conflicts with neither reads nor writes; the new table
    is empty, so checking it against the day's range costs nothing. The parent's indexes are
    created on it as it is attached.
    """
    name = sql.Identifier(partition_name(day))
    _execute(
        cur,
        sql.SQL(
            "CREATE TABLE {} (LIKE telemetry_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        ).format(name),
    )
    _execute(
        cur,
        sql.SQL(
            "ALTER TABLE telemetry_event ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})"
        ).format(
            name, sql.Literal(day_start(day)), sql.Literal(day_start(day + timedelta(days=1)))
        ),
    )


def oldest_kept_day(*, now: datetime, retention_days: int) -> date:
    """The first UTC day inside the retention window."""
    return now.date() - timedelta(days=retention_days)


@after_rollups_applied
def telemetry_partitions_drop_expired(*, now: datetime, retention_days: int) -> list[date]:
    """Drop day partitions older than the retention window, and their dedup and prompt keys.

    Rollups are kept: they are the long-term record, so after a drop they exceed what raw rows
    remain. Pending batches are added to the rollups first, so no stored event is dropped
    before it is counted. Idempotent.
    """
    cutoff = oldest_kept_day(now=now, retention_days=retention_days)
    dropped = []
    with connection.cursor() as cur:
        cur.execute(load_sql("telemetry", "select_partitions"))
        expired = [(name, day) for name, day in cur.fetchall() if day < cutoff]
        if expired:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PARTITION_LOCK_ID])
        for name, day in expired:
            _execute(cur, sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
            dropped.append(day)
    transaction.on_commit(KNOWN_PARTITIONS.clear)
    TelemetryEventKey.objects.filter(ts__lt=day_start(cutoff)).delete()
    TelemetryPromptSeen.objects.filter(day__lt=cutoff).delete()
    return dropped


def telemetry_partitions_maintain(
    *, now: datetime, retention_days: int, ahead_days: int
) -> tuple[list[date], list[date]]:
    """Create today's and the next ``ahead_days`` partitions, drop expired ones.

    Two separate transactions (create, then drop); each is idempotent, so the periodic task may
    run twice. Returns (created, dropped).
    """
    today = now.date()
    created = telemetry_partitions_ensure(
        days={today + timedelta(days=i) for i in range(ahead_days + 1)}
    )
    dropped = telemetry_partitions_drop_expired(now=now, retention_days=retention_days)
    return created, dropped
