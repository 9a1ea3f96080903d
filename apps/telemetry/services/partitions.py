"""Daily partitions of ``telemetry_event``: create ahead or on demand, drop past retention."""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from psycopg import sql

from apps.common.clock import day_start
from apps.common.sql import load_sql
from apps.telemetry.models import TelemetryEventKey, TelemetryPromptSeen
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply

# Serialises partition DDL between processes (an arbitrary constant, unique to this purpose).
_PARTITION_LOCK_ID = 7_310_001


def partition_name(day: date) -> str:
    return f"telemetry_event_p{day:%Y%m%d}"


def _execute(cur: object, statement: sql.Composable) -> None:
    cur.execute(statement.as_string(cur.connection))


@transaction.atomic
def telemetry_partitions_ensure(*, days: set[date] | list[date]) -> list[date]:
    """Make sure a partition exists for each UTC day; returns the days that were created.

    Idempotent. The check is one query; DDL runs only for missing days, under an advisory
    lock so two processes never race on the same CREATE. Callers run it in its own short
    transaction before a merge: CREATE TABLE … PARTITION OF locks the parent table, and that
    lock must not be held across an ingest.
    """
    if not days:
        return []
    with connection.cursor() as cur:
        cur.execute(load_sql("telemetry", "select_missing_partitions"), {"days": sorted(days)})
        missing = [row[0] for row in cur.fetchall()]
        if not missing:
            return []
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PARTITION_LOCK_ID])
        for day in missing:
            _execute(
                cur,
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} PARTITION OF telemetry_event "
                    "FOR VALUES FROM ({}) TO ({})"
                ).format(
                    sql.Identifier(partition_name(day)),
                    sql.Literal(day_start(day)),
                    sql.Literal(day_start(day + timedelta(days=1))),
                ),
            )
    return missing


def oldest_kept_day(*, now: datetime, retention_days: int) -> date:
    """The first UTC day inside the retention window."""
    return now.date() - timedelta(days=retention_days)


def telemetry_partitions_drop_expired(*, now: datetime, retention_days: int) -> list[date]:
    """Drop day partitions older than the retention window, and their dedup and prompt keys.

    Rollups are kept: they are the long-term record, so after a drop they exceed what raw rows
    remain. Pending batches are added to the rollups first, so no stored event is dropped
    before it is counted. Idempotent.
    """
    telemetry_rollups_apply()
    return _drop_expired(now=now, retention_days=retention_days)


@transaction.atomic
def _drop_expired(*, now: datetime, retention_days: int) -> list[date]:
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
