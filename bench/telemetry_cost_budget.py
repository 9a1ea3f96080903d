"""Where an ingested telemetry event's CPU goes, part by part, beside a raw COPY of its row.

    DATABASE_URL=postgres://… REDIS_URL=redis://… \
        .venv/bin/python -m bench.telemetry_cost_budget --events 100000 --rounds 3

``bench.telemetry_ingest`` measures the whole HTTP path against a raw COPY; this one splits
the path into its parts and measures each on the same demo events, in the same run, as CPU
per event (PostgreSQL backends read from /proc, the Python side by ``process_time``, with the
web workers' garbage-collector settings):

- ``pg_raw_copy``: the bench's baseline, the rows as COPY text in one statement;
- ``pg_copy_per_batch``: the same rows in 1,000-row statements, one transaction each (what any
  request-per-batch API pays), and ``pg_copy_per_batch_tagged`` with ``ingest_batch`` set (its
  partial index);
- ``pg_key_claims``: the idempotency keys, COPYed 1,000 to a statement into the key table;
- ``pg_prompt_sightings``: the statement that records a batch as pending and the first sightings
  of its prompt hashes (``INSERT … ON CONFLICT DO NOTHING``), per 1,000 events;
- ``py_service``, ``pg_service``: the ingest service itself (``telemetry_events_ingest`` on
  decoded batches): its Python CPU and its backend's CPU (row COPY, key claims, prompt
  sightings, the pending batch, and the per-statement costs around them);
- ``pg_apply``: the rollup apply of those batches, 40 batches per transaction (about a second of
  traffic at the ingest rates measured, ``telemetry_ingest``);
- ``py_decode``: msgspec's typed decoding of the request bodies;
- ``py_request_fixed``, ``pg_request_fixed``: what one request costs around the service
  (Django, DRF, authentication, the response: an ingest of ``[]`` through the test client),
  per event of a 1,000-event batch.

Each round runs every part on a freshly emptied set of telemetry tables; the report gives
each part's median over the rounds and its multiple of the raw COPY's CPU per row. The
database (``<DATABASE_URL name>_budget``) is dropped at the end.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.telemetry_ingest import (
    COPY_TEXT_COLUMNS,
    DemoEvents,
    _copy_text,
    _cpu_seconds,
    _database_urls,
    _drop_database,
    _recreate_database,
    _setup_django_fixtures,
)

BATCH = 1000
APPLY_BATCHES = 40
# Emptied before each round (telemetry_event with its partitions).
TABLES = (
    "telemetry_event, telemetry_telemetryeventkey, telemetry_telemetrypromptseen, "
    "telemetry_telemetrypendingbatch, telemetry_telemetryrolluphourly"
)


def _backend_cpu(conn: object) -> float:
    """CPU seconds so far of a psycopg connection's PostgreSQL backend (Django's included:
    ``connection.connection``)."""
    return _cpu_seconds(conn.info.backend_pid) or 0.0


def _copy_lines(text: bytes, prefix: str, tag: int | None = None) -> list[bytes]:
    """COPY text rows with ``prefix`` before each request id (column 3) and, if ``tag``,
    an ingest_batch column: ``tag`` minus the row's batch number (negative: never pending)."""
    lines = []
    for index, line in enumerate(text.splitlines()):
        ts, endpoint, rest = line.split(b"\t", 2)
        row = b"\t".join((ts, endpoint, prefix.encode() + rest))
        if tag is not None:
            row += b"\t%d" % (tag - index // BATCH)
        lines.append(row)
    return lines


def _copy_batches(url: str, lines: list[bytes], *, tagged: bool, per: int) -> float:
    """COPY ``lines`` into telemetry_event, ``per`` to a statement and transaction; returns
    the backend's CPU seconds."""
    import psycopg

    columns = COPY_TEXT_COLUMNS + (", ingest_batch" if tagged else "")
    with psycopg.connect(url) as conn:
        began = _backend_cpu(conn)
        for start in range(0, len(lines), per):
            with conn.cursor().copy(f"COPY telemetry_event ({columns}) FROM STDIN") as copy:  # noqa: S608
                copy.write(b"\n".join(lines[start : start + per]) + b"\n")
            conn.commit()
        return _backend_cpu(conn) - began


def _key_claims(url: str, keys: list[tuple]) -> float:
    """COPY (endpoint_id, request_id, ts) keys 1,000 to a statement, sorted as the service
    sorts them; returns the backend's CPU seconds."""
    import psycopg

    with psycopg.connect(url) as conn:
        began = _backend_cpu(conn)
        for start in range(0, len(keys), BATCH):
            with conn.cursor().copy(
                "COPY telemetry_telemetryeventkey (endpoint_id, request_id, ts) FROM STDIN "
                "(FORMAT BINARY)"
            ) as copy:
                copy.set_types(("int8", "text", "timestamptz"))
                for key in sorted(keys[start : start + BATCH]):
                    copy.write_row(key)
            conn.commit()
        return _backend_cpu(conn) - began


def _prompt_sightings(url: str, events: list[dict], endpoints: dict, label: str) -> float:
    """Run the service's pending-batch statement, which records first sightings of prompt
    hashes, per 1,000 events with the sightings a single process would send (those it has
    not seen committed); returns the backend's CPU seconds."""
    import psycopg

    from apps.common.sql import load_sql

    statement = load_sql("telemetry", "insert_pending_batch")
    known: set[tuple] = set()
    with psycopg.connect(url) as conn, psycopg.Cursor(conn) as cur:
        began = _backend_cpu(conn)
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            first: dict[tuple, None] = {}
            for e in batch:
                if e.get("prompt_hash"):
                    key = (endpoints[e["endpoint"]][0], e["ts"][:10], label + e["prompt_hash"])
                    if key not in known:
                        first.setdefault(key)
            ids, days, hashes = zip(*first, strict=True) if first else ((), (), ())
            cur.execute(
                statement,
                {
                    "first_day": batch[0]["ts"][:10],
                    "last_day": batch[-1]["ts"][:10],
                    "events": len(batch),
                    "endpoint_ids": list(ids),
                    "days": [datetime.fromisoformat(day).date() for day in days],
                    "hashes": list(hashes),
                },
            )
            cur.fetchall()
            conn.commit()
            known.update(first)
        spent = _backend_cpu(conn) - began
        # Its pending-batch rows have no raw rows: not for the apply below.
        conn.execute("DELETE FROM telemetry_telemetrypendingbatch")
        conn.commit()
        return spent


def _service(bodies: list[bytes]) -> tuple[float, float, float]:
    """Decode each body and ingest it through ``telemetry_events_ingest``, as a request does;
    returns (Python CPU seconds decoding, Python CPU seconds in the service, backend CPU
    seconds)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from apps.telemetry.parsers.event_fast import decode_events_typed
    from apps.telemetry.services.event_ingest import telemetry_events_ingest

    connection.ensure_connection()
    decoding = serving = 0.0
    backend_began = _backend_cpu(connection.connection)
    for body in bodies:
        began = time.process_time()
        events = decode_events_typed(body, ndjson=False)
        decoded = time.process_time()
        result = telemetry_events_ingest(
            events=events,
            team_ids=None,
            now=timezone.now(),
            retention_days=settings.TELEMETRY_RETENTION_DAYS,
        )
        served = time.process_time()
        decoding += decoded - began
        serving += served - decoded
        if result.accepted != len(events):
            raise SystemExit(f"the service refused events: {result.as_dict()}")
    return decoding, serving, _backend_cpu(connection.connection) - backend_began


def _apply() -> tuple[float, int]:
    """Apply every pending batch, ``APPLY_BATCHES`` per transaction; returns (backend CPU
    seconds, events applied)."""
    from django.db import connection, transaction

    from apps.telemetry.services.rollup_apply import ROLLUP_LOCK_ID, pending_batches_add

    began, applied = _backend_cpu(connection.connection), 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_ID])
            taken, events = pending_batches_add(cur, upto=2**62, limit=APPLY_BATCHES)
        applied += events
        if taken == 0:
            return _backend_cpu(connection.connection) - began, applied


def _request_cost(secret: str, count: int = 200) -> tuple[float, float]:
    """(Python, backend) CPU seconds of one ingest request that carries no event (``[]``),
    through Django's test client: what a request costs around the service (Django, DRF,
    authentication, the response)."""
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.post("/api/v1/telemetry/events", b"[]", content_type="application/json")
    python_began, backend_began = time.process_time(), _backend_cpu(connection.connection)
    for _ in range(count):
        response = client.post("/api/v1/telemetry/events", b"[]", content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"request refused: {response.status_code} {response.content!r}")
    return (
        (time.process_time() - python_began) / count,
        (_backend_cpu(connection.connection) - backend_began) / count,
    )


def _round(url: str, source: DemoEvents, bodies: list[bytes], secret: str, label: str) -> dict:
    """One round of every part on emptied tables; CPU microseconds per event."""
    import psycopg
    from django.db import connection

    from apps.telemetry.services import event_store
    from apps.telemetry.services.partitions import telemetry_partitions_ensure

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES}")  # noqa: S608 - constant table names
    event_store._SIGHTINGS.keys.clear()  # noqa: SLF001 - a fresh round sees no prompt as known
    events = source.events(0, len(source.lines))
    count = len(events)
    telemetry_partitions_ensure(days={datetime.fromisoformat(e["ts"]).date() for e in events})
    connection.close()  # the partition cache's connection; parts below open their own

    with psycopg.connect(url) as conn:
        endpoints = {
            name: (pk, accelerator, gpus)
            for name, pk, accelerator, gpus in conn.execute(
                "SELECT name, id, accelerator_type, accelerator_count FROM catalog_modelendpoint"
            )
        }
    text = _copy_text(events, endpoints)
    per_event = {}
    per_event["pg_raw_copy"] = _copy_batches(
        url, _copy_lines(text, f"{label}a-"), tagged=False, per=count
    )
    per_event["pg_copy_per_batch"] = _copy_batches(
        url, _copy_lines(text, f"{label}b-"), tagged=False, per=BATCH
    )
    per_event["pg_copy_per_batch_tagged"] = _copy_batches(
        url, _copy_lines(text, f"{label}c-", tag=-1), tagged=True, per=BATCH
    )
    keys = [
        (
            endpoints[e["endpoint"]][0],
            f"{label}d-{e['request_id']}",
            datetime.fromisoformat(e["ts"]),
        )
        for e in events
    ]
    per_event["pg_key_claims"] = _key_claims(url, keys)
    per_event["pg_prompt_sightings"] = _prompt_sightings(url, events, endpoints, f"{label}e-")

    per_event["py_decode"], per_event["py_service"], per_event["pg_service"] = _service(bodies)
    per_event["pg_apply"], applied = _apply()
    if applied != count:
        raise SystemExit(f"applied {applied} events of {count}")
    python_request, backend_request = _request_cost(secret)
    report = {name: round(seconds / count * 1e6, 2) for name, seconds in per_event.items()}
    # A request's cost around the service, per event of a 1,000-event batch.
    report["py_request_fixed"] = round(python_request * 1e6 / BATCH, 2)
    report["pg_request_fixed"] = round(backend_request * 1e6 / BATCH, 2)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demo-days", type=int, default=28)
    parser.add_argument("--demo-seed", type=int, default=7)
    args = parser.parse_args()
    if args.events % BATCH:
        raise SystemExit(f"--events must be a multiple of {BATCH}")
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    _, _, admin_url = _database_urls(base_url)
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") + "_budget"
    url = urlunsplit(parts._replace(path="/" + name))
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="costgov.settings",
        TELEMETRY_RATE_LIMIT_PER_MINUTE="0",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX=f"budget-{os.getpid()}",
    )
    _recreate_database(admin_url, name)
    try:
        report = _measure(args, url)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(admin_url, name)
    print(json.dumps(report, indent=2))


def _measure(args: argparse.Namespace, url: str) -> dict:
    with tempfile.TemporaryDirectory() as demo_dir:
        source = DemoEvents(Path(demo_dir), args.events, args.demo_days, args.demo_seed)
        secret = _setup_django_fixtures(source)
        # The web workers' garbage-collector settings, so the Python parts cost what they
        # cost in a gunicorn worker.
        import costgov.wsgi  # noqa: F401, PLC0415

        bodies = [source.body(start, BATCH) for start in range(0, args.events, BATCH)]
        rounds = [
            _round(url, source, bodies, secret, label=f"r{number}-")
            for number in range(args.rounds)
        ]
    parts = {name: round(statistics.median(r[name] for r in rounds), 2) for name in rounds[0]}
    raw = parts["pg_raw_copy"]
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": "demo",
        "events": args.events,
        "rounds": args.rounds,
        "cpu_us_per_event_median": parts,
        "multiple_of_raw_copy": {name: round(value / raw, 2) for name, value in parts.items()},
        "cpu_us_per_event_by_round": rounds,
    }


if __name__ == "__main__":
    sys.exit(main())
