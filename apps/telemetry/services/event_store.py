"""Store a validated batch: claim idempotency keys, flag repeated prompts, append raw rows
tagged with a pending ingest batch, in one transaction; the rollups take the batch after
commit (``rollup_apply``)."""

from collections.abc import Callable, Iterable
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
_COPY_KEYS = (
    "COPY telemetry_telemetryeventkey (endpoint_id, request_id, ts) FROM STDIN (FORMAT BINARY)"
)


class _JsonTextDumper(Dumper):
    """jsonb for binary COPY from JSON text the validator already encoded (no re-encoding)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


class _KeyTaken(Exception):  # noqa: N818 - a signal between two functions, not an error
    """The batch's direct COPY into the key table met a key that is already stored."""


def events_store(*, staged: list[list]) -> int:
    """Store the staged events whose (endpoint, request_id) is new; returns how many.

    ``staged`` holds one row per distinct key, in request order. Exactly the events whose key
    this transaction claims are appended to ``telemetry_event``, tagged with a new pending
    batch; after commit a rollup apply is queued, which adds the batch to the rollups once.
    So rollups plus pending batches equal the raw rows under retries, late events and
    concurrent writers. Locks are taken in key order within each step, and the steps run in
    the same order in every batch (keys, prompt sightings), so concurrent batches queue
    rather than deadlock.

    Most batches are all new, so their keys are COPYed straight into the key table. If one is
    already there (a retry, or a concurrent batch that committed it first), that transaction
    is rolled back before it wrote anything else, and the batch is stored again with the keys
    inserted by ON CONFLICT DO NOTHING, which reports the ones that were new.
    """
    try:
        return _store(staged, claim=_claim_keys_direct)
    except _KeyTaken:
        return _store(staged, claim=_claim_keys_new)


@transaction.atomic
def _store(staged: list[list], *, claim: Callable) -> int:
    # A cursor that binds parameters on the server, so the arrays below travel in binary
    # (Django's own cursors bind on the client, as SQL literals).
    cur = psycopg.Cursor(connection.connection)
    try:
        cur.adapters.register_dumper(None, _JsonTextDumper)  # by oid: where COPY names jsonb
        keys = sorted((row[S_ENDPOINT], row[S_REQUEST_ID], row[S_TS]) for row in staged)
        fresh = claim(cur, staged, keys)
        if not fresh:
            return 0
        batch_id = _pending_batch(cur, fresh)
        with cur.copy(_COPY_EVENTS) as copy:
            copy.set_types((*RAW_TYPES, "int8"))
            for row in fresh:
                row.append(batch_id)
                copy.write_row(row)
    finally:
        cur.close()
    transaction.on_commit(telemetry_rollups_apply_soon)
    return len(fresh)


def _claim_keys_direct(cur: psycopg.Cursor, staged: list[list], keys: list[tuple]) -> list[list]:
    """COPY every key, in key order; all of ``staged`` is new, or ``_KeyTaken`` is raised."""
    try:
        with cur.copy(_COPY_KEYS) as copy:
            copy.set_types(("int8", "text", "timestamptz"))
            for key in keys:
                copy.write_row(key)
    except psycopg.errors.UniqueViolation as exc:
        raise _KeyTaken from exc
    return staged


def _claim_keys_new(cur: psycopg.Cursor, staged: list[list], keys: list[tuple]) -> list[list]:
    """Insert the keys that are new (ON CONFLICT DO NOTHING); returns their staged rows."""
    endpoint_ids, request_ids, stamps = zip(*keys, strict=True)
    cur.execute(
        load_sql("telemetry", "insert_event_keys"),
        {"endpoint_ids": list(endpoint_ids), "request_ids": list(request_ids), "ts": list(stamps)},
    )
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


def _pending_batch(cur: psycopg.Cursor, fresh: list[list]) -> int:
    """Record the batch as pending for the rollups and flag its repeated prompts, in one
    statement; returns the batch id (which tags its raw rows).

    Appends is_duplicate_prompt to each row of ``fresh``, making it a raw row. A prompt is a
    duplicate unless its event is the first of the batch with that hash on that endpoint and
    UTC day, and no earlier batch saw the hash there that day.
    """
    known = _SIGHTINGS.keys
    first: dict[tuple, int] = {}
    first_ts = last_ts = fresh[0][S_TS]
    for position, row in enumerate(fresh):
        ts: datetime = row[S_TS]
        if ts < first_ts:
            first_ts = ts
        elif ts > last_ts:
            last_ts = ts
        prompt_hash = row[S_PROMPT_HASH]
        if prompt_hash is not None:
            key = (row[S_ENDPOINT], ts.date(), prompt_hash)
            if key not in known:
                first.setdefault(key, position)
    if first:
        # After commit every key asked about is a committed sighting (ours, or one that an
        # earlier or concurrent batch committed: ON CONFLICT waits for it).
        keys = list(first)
        transaction.on_commit(lambda: _SIGHTINGS.remember(keys))
        endpoint_ids, days, hashes = zip(*keys, strict=True)
    else:
        endpoint_ids = days = hashes = ()
    cur.execute(
        load_sql("telemetry", "insert_pending_batch"),
        {
            "first_day": first_ts.date(),
            "last_day": last_ts.date(),
            "events": len(fresh),
            "endpoint_ids": list(endpoint_ids),
            "days": list(days),
            "hashes": list(hashes),
        },
    )
    rows = cur.fetchall()
    unseen = {first[key[1:]] for key in rows if key[1] is not None}
    for position, row in enumerate(fresh):
        row.append(row[S_PROMPT_HASH] is not None and position not in unseen)
    return rows[0][0]
