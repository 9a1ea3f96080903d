"""Store a validated batch: claim idempotency keys, flag repeated prompts, append raw rows
tagged with a pending ingest batch, in one transaction; the rollups take the batch after
commit (``rollup_apply``)."""

from collections.abc import Iterable
from datetime import datetime

import psycopg
from django.db import connection, transaction
from psycopg import postgres, sql
from psycopg.adapt import Dumper
from psycopg.pq import Format

from apps.common.sql import load_sql
from apps.telemetry.rollup_delta import RAW_COLUMNS, RAW_TYPES
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply_soon

# A staged event: a raw row (rollup_delta.RAW_COLUMNS) without is_duplicate_prompt, as a
# list, so that the flag and then the batch id are appended in place.
S_TS, S_ENDPOINT, S_REQUEST_ID, S_PROMPT_HASH = 0, 1, 2, 17
_COPY_EVENTS = sql.SQL("COPY telemetry_event ({}) FROM STDIN (FORMAT BINARY)").format(
    sql.SQL(", ").join(sql.Identifier(name) for name in (*RAW_COLUMNS, "ingest_batch"))
)
_INSERT_BATCH = (
    "INSERT INTO telemetry_telemetrypendingbatch (first_day, last_day, events, created_at) "
    "VALUES (%s, %s, %s, now()) RETURNING id"
)
_COPY_KEYS = sql.SQL("COPY {} (endpoint_id, request_id, ts) FROM STDIN (FORMAT BINARY)")
_COPY_PROMPTS = (
    "COPY stage_telemetry_prompt (endpoint_id, day, prompt_hash) FROM STDIN (FORMAT BINARY)"
)


class _JsonTextDumper(Dumper):
    """jsonb for binary COPY from JSON text the validator already encoded (no re-encoding)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


def _register_dumpers(cur: psycopg.Cursor) -> None:
    # By oid only, on this cursor: used where a COPY's set_types names jsonb.
    cur.adapters.register_dumper(None, _JsonTextDumper)


@transaction.atomic
def events_store(*, staged: list[list]) -> int:
    """Store the staged events whose (endpoint, request_id) is new; returns how many.

    ``staged`` holds one row per distinct key, in request order. Exactly the events whose key
    this transaction claims are appended to ``telemetry_event``, tagged with a new pending
    batch; after commit a rollup apply is queued, which adds the batch to the rollups once.
    So rollups plus pending batches equal the raw rows under retries, late events and
    concurrent writers. Locks are taken in key order within each step, and the steps run in
    the same order in every batch (keys, prompt sightings), so concurrent batches queue
    rather than deadlock.
    """
    with connection.cursor() as wrapper:
        cur = wrapper.cursor
        _register_dumpers(cur)
        cur.execute(load_sql("telemetry", "create_stage_batch"))
        fresh = _claim_keys(cur, staged)
        if not fresh:
            return 0
        _flag_prompts(cur, fresh)
        batch_id = _pending_batch(cur, fresh)
        with cur.copy(_COPY_EVENTS) as copy:
            copy.set_types((*RAW_TYPES, "int8"))
            for row in fresh:
                row.append(batch_id)
                copy.write_row(row)
    transaction.on_commit(telemetry_rollups_apply_soon)
    return len(fresh)


def _pending_batch(cur: psycopg.Cursor, fresh: list[list]) -> int:
    """Record the batch as pending for the rollups; returns its id (tags its raw rows)."""
    first = last = fresh[0][S_TS]
    for row in fresh:
        ts: datetime = row[S_TS]
        if ts < first:
            first = ts
        elif ts > last:
            last = ts
    cur.execute(_INSERT_BATCH, [first.date(), last.date(), len(fresh)])
    return cur.fetchone()[0]


def _copy_keys(cur: psycopg.Cursor, table: str, keys: list[tuple]) -> None:
    with cur.copy(_COPY_KEYS.format(sql.Identifier(table))) as copy:
        copy.set_types(("int8", "text", "timestamptz"))
        for key in keys:
            copy.write_row(key)


def _claim_keys(cur: psycopg.Cursor, staged: list[list]) -> list[list]:
    """Insert the batch's keys; returns the staged rows whose key was new.

    Most batches are all new, so the keys are first COPYed straight into the key table, in
    key order, inside a savepoint. If one is already there (a retry, or a concurrent batch
    that committed it first) the savepoint is rolled back and the keys are inserted with ON
    CONFLICT DO NOTHING instead, which reports the ones that were new.
    """
    keys = sorted((row[S_ENDPOINT], row[S_REQUEST_ID], row[S_TS]) for row in staged)
    try:
        with transaction.atomic():
            _copy_keys(cur, "telemetry_telemetryeventkey", keys)
    except psycopg.errors.UniqueViolation:
        pass
    else:
        return staged
    _copy_keys(cur, "stage_telemetry_key", keys)
    cur.execute(load_sql("telemetry", "insert_event_keys"))
    new = set(cur.fetchall())
    return [row for row in staged if (row[S_ENDPOINT], row[S_REQUEST_ID]) in new]


class _CommittedSightings:
    """(endpoint id, UTC day, prompt hash) sightings this process knows are committed.

    A committed sighting is never removed while its day can still take events (retention
    deletes a day's sightings only once the day is outside the accepted window), so an event
    whose key is here is a duplicate prompt without asking PostgreSQL. Keys are added only
    after the transaction that stored or met them commits. Bounded: emptied when full.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        self.keys: set[tuple] = set()

    def remember(self, keys: Iterable[tuple]) -> None:
        if len(self.keys) >= self.LIMIT:
            self.keys.clear()
        self.keys.update(keys)


_SIGHTINGS = _CommittedSightings()


def _flag_prompts(cur: psycopg.Cursor, fresh: list[list]) -> None:
    """Append is_duplicate_prompt to each row of ``fresh``, making it a raw row.

    A prompt is a duplicate unless its event is the first of the batch with that hash on
    that endpoint and UTC day, and no earlier batch saw the hash there that day.
    """
    known = _SIGHTINGS.keys
    first: dict[tuple, int] = {}
    for position, row in enumerate(fresh):
        prompt_hash = row[S_PROMPT_HASH]
        if prompt_hash is not None:
            key = (row[S_ENDPOINT], row[S_TS].date(), prompt_hash)
            if key not in known:
                first.setdefault(key, position)
    unseen: set[int] = set()
    if first:
        # After commit every key asked about is a committed sighting (ours, or one that an
        # earlier or concurrent batch committed: ON CONFLICT waits for it).
        keys = list(first)
        transaction.on_commit(lambda: _SIGHTINGS.remember(keys))
        with cur.copy(_COPY_PROMPTS) as copy:
            copy.set_types(("int8", "date", "text"))
            for key in first:
                copy.write_row(key)
        cur.execute(load_sql("telemetry", "insert_prompts_seen"))
        unseen = {first[key] for key in cur.fetchall()}
    for position, row in enumerate(fresh):
        row.append(row[S_PROMPT_HASH] is not None and position not in unseen)
