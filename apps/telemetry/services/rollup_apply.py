"""Add committed ingest batches to the hourly rollups, after their ingest transaction.

Ingest stores raw rows tagged with a pending batch and queues an apply once it commits
(``telemetry_rollups_apply_soon``). An apply takes pending batches and adds their raw rows to
the rollups, in one transaction under an advisory lock: each batch is added exactly once, and
many batches' events for the same rollup key become one upsert. So the ingest transaction
holds no rollup row locks, and concurrent ingests never queue on each other's rollup rows.

Readers that need every committed event (allocation, anomaly detection, recommendations, the
usage API) call ``telemetry_rollups_apply`` first; under steady ingest the queued applies keep
the pending backlog to about one apply's duration.
"""

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import ParamSpec, TypeVar

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from apps.common.sql import load_sql

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# Serialises appliers and rebuilds (an arbitrary constant, unique to this purpose).
ROLLUP_LOCK_ID = 7_310_002
APPLY_TASK = "telemetry.rollups_apply"
# Set while an apply task is queued and not yet started: ingests that commit meanwhile are
# covered by it. If a queued task is lost (a worker stopped and its queue purged), ingest
# queues a new one once the flag expires; a task that is only late makes the next one find
# less to do, so a short expiry costs at most an idle apply.
APPLY_QUEUED_KEY = "telemetry:rollups-apply-queued"
APPLY_QUEUED_MIN_TTL_S = 10
# Batches per apply transaction (~1,000 events each): bounds one transaction's work.
BATCHES_PER_APPLY = 500


def telemetry_rollups_apply_soon() -> None:
    """Make sure an apply starts after this moment (called after an ingest commits).

    One task is queued at a time, to start ``TELEMETRY_ROLLUP_APPLY_DELAY_MS`` later so that
    it adds every batch committed meanwhile: the flag is set while it waits, and the task
    clears it before it reads, so a batch that committed before the flag was cleared is read
    by that task, and a batch that committed after it queues the next one. A broker failure is
    logged, not raised: the events are stored, and the periodic apply or the next reader
    adds them.
    """
    try:
        delay_s = settings.TELEMETRY_ROLLUP_APPLY_DELAY_MS / 1000
        if cache.add(APPLY_QUEUED_KEY, "1", timeout=max(APPLY_QUEUED_MIN_TTL_S, 5 * delay_s)):
            current_app.send_task(APPLY_TASK, countdown=delay_s)
    except Exception:  # noqa: BLE001 - the ingest has committed; never fail its response
        logger.exception("could not queue a telemetry rollup apply")


def telemetry_rollups_apply_queued() -> int:
    """The queued task's apply: clear the queued flag, then apply (see
    ``telemetry_rollups_apply_soon``)."""
    cache.delete(APPLY_QUEUED_KEY)
    return telemetry_rollups_apply()


def telemetry_rollups_apply(*, batches_per_transaction: int = BATCHES_PER_APPLY) -> int:
    """Add every pending batch committed before this call to the rollups; returns the events
    added.

    Idempotent and safe to run concurrently (appliers queue on the advisory lock, and a batch
    is taken by one of them only). Works in transactions of at most
    ``batches_per_transaction`` batches, oldest first; batches that commit after the call
    began are left to the apply their ingest queued.
    """
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM telemetry_telemetrypendingbatch")
        upto = cur.fetchone()[0]
    if upto is None:
        return 0
    total = 0
    while True:
        taken, events = _apply_some(upto=upto, limit=batches_per_transaction)
        total += events
        if taken < batches_per_transaction:
            return total


@transaction.atomic
def _apply_some(*, upto: int, limit: int) -> tuple[int, int]:
    """Apply up to ``limit`` pending batches with ids <= ``upto``: (batches, events)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_ID])
        return pending_batches_add(cur, upto=upto, limit=limit)


def after_rollups_applied(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in a transaction after every ingest batch committed before the call is in
    the rollups: for readers that must count every stored event. The apply runs in its own
    transactions first, so the rollup lock is not held while ``func`` runs."""

    @functools.wraps(func)
    def applied_first(*args: P.args, **kwargs: P.kwargs) -> R:
        telemetry_rollups_apply()
        with transaction.atomic():
            return func(*args, **kwargs)

    return applied_first


def pending_batches_add(cur: object, *, upto: int, limit: int) -> tuple[int, int]:
    """Take and add pending batches, inside the caller's transaction and advisory lock;
    returns (batches, events) taken."""
    cur.execute(load_sql("telemetry", "take_pending_batches"), {"upto": upto, "limit": limit})
    taken = cur.fetchall()
    if not taken:
        return 0, 0
    first_day = min(row[1] for row in taken)
    last_day = max(row[2] for row in taken)
    events_to_rollups_add(
        cur,
        start=datetime.combine(first_day, time.min, tzinfo=UTC),
        end=datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC),
        batches=sorted(row[0] for row in taken),
    )
    return len(taken), sum(row[3] for row in taken)


# Planner settings for add_events_to_rollups.sql, for that statement only. The newest rows of
# a day partition are past its statistics, so the planner expects a few hundred events where
# an apply reads tens of thousands, and sorts them all on the seven rollup keys to group them;
# grouping by hash is ~1.4x faster (measured on the benchmark's events). With sorting priced
# out the plan's cost estimate is inflated, so JIT compilation, which that estimate would
# switch on (~0.2 s to compile), is off as well. So are parallel workers: with nearly one
# rollup key per event (a backfill) each worker's partial aggregate is as large as its input,
# so every event is aggregated twice, and the ingests already keep the cores busy. The hash
# table gets 64 MB of work memory (twice that with the default hash_mem_multiplier): with the
# default 4 MB an apply of a backfill's events spilled its groups to temporary files. One
# apply runs at a time (the advisory lock), so this is one allocation, not one per ingest.
_PLAN_FOR_ADD = (
    "SET LOCAL enable_sort = off; SET LOCAL jit = off; "
    "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'"
)
_PLAN_RESET = (
    "SET LOCAL enable_sort TO DEFAULT; SET LOCAL jit TO DEFAULT; "
    "SET LOCAL max_parallel_workers_per_gather TO DEFAULT; SET LOCAL work_mem TO DEFAULT"
)


def events_to_rollups_add(
    cur: object, *, start: datetime, end: datetime, batches: list[int] | None
) -> int:
    """Add the raw events in [start, end) of ``batches`` (None: every event) to the rollups,
    in the caller's transaction and advisory lock; returns the rollup rows written."""
    cur.execute(_PLAN_FOR_ADD)
    cur.execute(
        load_sql("telemetry", "add_events_to_rollups"),
        {"start": start, "end": end, "batches": batches},
    )
    written = cur.fetchone()[0]
    # After an error there is nothing to reset: SET LOCAL ends with the (sub)transaction.
    cur.execute(_PLAN_RESET)
    return written


def pending_events() -> tuple[int, datetime | None]:
    """(events in pending batches, when the oldest was stored): the rollups' backlog."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(events), 0), min(created_at) FROM telemetry_telemetrypendingbatch"
        )
        events, oldest = cur.fetchone()
    return int(events), oldest
