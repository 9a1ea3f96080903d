"""Store a validated batch: claim idempotency keys, flag repeated prompts, append raw rows
and add the batch to the hourly rollups, in one transaction."""

from typing import ClassVar

import psycopg
from django.db import connection, transaction
from psycopg import postgres, sql
from psycopg.adapt import Dumper
from psycopg.pq import Format

from apps.common.sql import load_sql
from apps.telemetry.histogram import BUCKET_COUNT
from apps.telemetry.rollup_delta import RAW_COLUMNS, RAW_TYPES, rollup_deltas

# A staged event: a raw row (rollup_delta.RAW_COLUMNS) without is_duplicate_prompt, as a
# list, so that the flag is appended in place.
S_TS, S_ENDPOINT, S_REQUEST_ID, S_PROMPT_HASH = 0, 1, 2, 17
_ROLLUP_TYPES = ("timestamptz", "int8", *["text"] * 5, *["int8"] * 7, "numeric", "int8", "int8")
_COPY_EVENTS = sql.SQL("COPY telemetry_event ({}) FROM STDIN (FORMAT BINARY)").format(
    sql.SQL(", ").join(sql.Identifier(name) for name in RAW_COLUMNS)
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


class _HistogramDumper(Dumper):
    """A BUCKET_COUNT-long list of counts as a binary bigint[] (one dimension, no nulls).

    Most increments hold one or two events, so the same few encodings recur: they are
    cached (bounded) rather than rebuilt element by element for every rollup row.
    """

    format = Format.BINARY
    oid = postgres.types["int8"].array_oid
    _head = b"".join(n.to_bytes(4, "big") for n in (1, 0, 20, BUCKET_COUNT, 1))
    _cache: ClassVar[dict[tuple, bytes]] = {}

    def dump(self, obj: list[int]) -> bytes:
        key = tuple(obj)
        encoded = self._cache.get(key)
        if encoded is None:
            if len(self._cache) >= 4096:  # about 3 MB
                self._cache.clear()
            encoded = self._cache[key] = self._head + b"".join(
                b"\x00\x00\x00\x08" + n.to_bytes(8, "big") for n in obj
            )
        return encoded


def _register_dumpers(cur: psycopg.Cursor) -> None:
    # By oid only, on this cursor: used where a COPY's set_types names jsonb or int8[].
    for dumper in (_JsonTextDumper, _HistogramDumper):
        cur.adapters.register_dumper(None, dumper)


@transaction.atomic
def events_store(*, staged: list[list]) -> int:
    """Store the staged events whose (endpoint, request_id) is new; returns how many.

    ``staged`` holds one row per distinct key, in request order. Exactly the events whose key
    this transaction claims are appended to ``telemetry_event`` and added to the rollups, so
    rollups equal the raw rows under retries, late events and concurrent writers. Locks are
    taken in key order within each step, and the steps run in the same order in every batch
    (keys, prompt sightings, rollups), so concurrent batches queue rather than deadlock.
    """
    with connection.cursor() as wrapper:
        cur = wrapper.cursor
        _register_dumpers(cur)
        cur.execute(load_sql("telemetry", "create_stage_batch"))
        fresh = _claim_keys(cur, staged)
        if not fresh:
            return 0
        _flag_prompts(cur, fresh)
        with cur.copy(_COPY_EVENTS) as copy:
            copy.set_types(RAW_TYPES)
            for row in fresh:
                copy.write_row(row)
        with cur.copy("COPY stage_telemetry_rollup FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types((*_ROLLUP_TYPES, "int8[]"))
            for delta in rollup_deltas(fresh):
                copy.write_row(delta)
        cur.execute(load_sql("telemetry", "merge_rollups"))
    return len(fresh)


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


def _flag_prompts(cur: psycopg.Cursor, fresh: list[list]) -> None:
    """Append is_duplicate_prompt to each row of ``fresh``, making it a raw row.

    A prompt is a duplicate unless its event is the first of the batch with that hash on
    that endpoint and UTC day, and no earlier batch saw the hash there that day.
    """
    first: dict[tuple, int] = {}
    for position, row in enumerate(fresh):
        prompt_hash = row[S_PROMPT_HASH]
        if prompt_hash is not None:
            key = (row[S_ENDPOINT], row[S_TS].date(), prompt_hash)
            first.setdefault(key, position)
    unseen: set[int] = set()
    if first:
        with cur.copy(_COPY_PROMPTS) as copy:
            copy.set_types(("int8", "date", "text"))
            for key in first:
                copy.write_row(key)
        cur.execute(load_sql("telemetry", "insert_prompts_seen"))
        unseen = {first[key] for key in cur.fetchall()}
    for position, row in enumerate(fresh):
        row.append(row[S_PROMPT_HASH] is not None and position not in unseen)
