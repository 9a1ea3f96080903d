"""Import billing export files into the ledger, replacing whole (account, period) slices.

Guarantees:
- Every file is read in full (streamed), normalised, checked and COPYed into a session-private
  staging table before the ledger is touched. Any bad cell fails the run with a message naming
  the file, row and column, and the ledger is unchanged.
- The swap (delete the source's slices present in the files, INSERT…SELECT the staged rows,
  compare totals) runs in ONE transaction: readers see the old slice or the new one, never a
  mix, and a failure anywhere in it leaves the previous data in place.
- Per (billing period, currency), the totals summed from the files must equal the totals summed
  from the stored rows, or the run fails and the swap rolls back.
- Idempotent: importing the same files again restates the same slices with the same rows.
  With ``skip_unchanged`` (scheduled pulls), data whose checksums equal those of the import
  still in place for the same periods is not swapped at all: the run is marked skipped.
- A table import (``bq://…?month=YYYYMM``) streams the query's result pages into the same
  staging table; a fetch failure marks the run failed and raises ``SourceUnavailable`` (the
  ledger is untouched, the caller may retry with a new run). An empty month is skipped.

The run is not one big transaction on purpose: progress (``rows_done``) and the failure record
must be visible to the API while the import runs and after it fails.
"""

import hashlib
import io
import logging
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.billing.choices import BillingFormat, ImportStatus
from apps.billing.models import BillingImport, BillingSource, CloudConnection
from apps.billing.parsers.common import LEDGER_COLUMNS
from apps.billing.parsers.detect import open_reader
from apps.billing.parsers.digest import RowDigest
from apps.billing.parsers.prefetch import prefetch
from apps.billing.services.import_counters import Progress, Totals, decimal_text
from apps.common.clock import utcnow
from apps.common.errors import CostgovError, InputFileError, SourceUnavailable
from apps.common.sql import load_sql

logger = logging.getLogger(__name__)

COPY_STAGE = "COPY billing_stage_line_item ({}) FROM STDIN WITH (FORMAT csv)".format(
    ", ".join(LEDGER_COLUMNS)
)
CSV_OPTIONS = pacsv.WriteOptions(include_header=False)


class TotalsMismatch(CostgovError):
    """Stored totals differ from the file's totals; the swap is rolled back."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def billing_import_create(
    *,
    paths: list[Path],
    names: list[str] | None = None,
    file_format: str = BillingFormat.AUTO,
    source_name: str = "default",
    triggered_by: str,
    created_by: User | None = None,
    connection: CloudConnection | None = None,
) -> BillingImport:
    """Record a pending import of ``paths`` (run it with ``billing_import_run``)."""
    if not paths:
        raise InputFileError("no billing files found", file="(none)")
    if file_format not in BillingFormat.values:
        raise InputFileError(f"unknown format {file_format!r}", file=str(paths[0]))
    source, _ = BillingSource.objects.get_or_create(name=source_name)
    return BillingImport.objects.create(
        source=source,
        format=file_format,
        file_names=names or [path.name for path in paths],
        file_paths=[str(path) for path in paths],
        triggered_by=triggered_by,
        created_by=created_by,
        connection=connection,
    )


def billing_import_run(
    *,
    import_id: int,
    default_currency: str = "USD",
    skip_unchanged: bool = False,
    now: datetime | None = None,
) -> BillingImport:
    """Run a pending import. Returns the run, succeeded, skipped or failed; a second call is a
    no-op.

    Bad input does not raise: the run is marked failed with the message. ``SourceUnavailable``
    (a table that cannot be read now) and unexpected errors mark it failed and are re-raised.
    """
    claimed = BillingImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=now or utcnow()
    )
    run = BillingImport.objects.select_related("source").get(pk=import_id)
    if claimed != 1:
        return run
    try:
        _execute(run, default_currency=default_currency, skip_unchanged=skip_unchanged)
    except SourceUnavailable as exc:
        _fail(run, exc.message, exc.details)
        raise
    except CostgovError as exc:
        _fail(run, exc.message, exc.details)
    except Exception as exc:
        _fail(run, f"internal error: {type(exc).__name__}: {exc}", None)
        raise
    finally:
        with connection.cursor() as cur:
            cur.execute(load_sql("billing", "drop_stage_cost_line_item"))
    run.refresh_from_db()
    return run


def billing_import_file(
    *,
    paths: list[Path],
    names: list[str] | None = None,
    file_format: str = BillingFormat.AUTO,
    source_name: str = "default",
    triggered_by: str,
    created_by: User | None = None,
    default_currency: str = "USD",
) -> BillingImport:
    """Import files now, in this process (command line, tests, benchmark)."""
    run = billing_import_create(
        paths=paths,
        names=names,
        file_format=file_format,
        source_name=source_name,
        triggered_by=triggered_by,
        created_by=created_by,
    )
    return billing_import_run(import_id=run.pk, default_currency=default_currency)


def _fail(run: BillingImport, message: str, details: object) -> None:
    logger.warning("billing import %s failed: %s", run.pk, message)
    BillingImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.FAILED,
        error=message,
        error_details=details,
        finished_at=utcnow(),
    )


def _execute(run: BillingImport, *, default_currency: str, skip_unchanged: bool) -> None:
    totals = Totals()
    progress = Progress(run.pk)
    formats = []
    checksums = {}
    with connection.cursor() as cur:
        cur.execute(load_sql("billing", "create_stage_cost_line_item"))
        if run.location:
            from apps.billing.bigquery import fetch_month  # lazy: google-cloud-bigquery

            digest = RowDigest()
            _stage(cur, digest.wrap(fetch_month(run.location)), totals, progress)
            checksums[run.location] = digest.hexdigest()
            formats.append(BillingFormat.GCP)
            if progress.rows == 0:
                _skip(run, "the invoice month has no rows in the table (yet)", checksums)
                return
        for path_text, name in zip(run.file_paths, _file_names(run), strict=True):
            path = Path(path_text)
            checksums[name] = _sha256(path)
            file_format, batches = open_reader(
                path, name=name, file_format=run.format, default_currency=default_currency
            )
            formats.append(file_format)
            if _stage(cur, batches, totals, progress) == 0:
                raise InputFileError("file has a header but no line items", file=name, row=2)
    source_totals = totals.as_json()
    BillingImport.objects.filter(pk=run.pk).update(
        sha256=checksums,
        rows_done=progress.rows,
        rows_total=progress.rows,
        format=formats[0] if len(set(formats)) == 1 else run.format,
        source_totals=source_totals,
        billing_periods=sorted(source_totals),
    )
    if skip_unchanged:
        same_as = _import_in_place(run, checksums, sorted(source_totals))
        if same_as is not None:
            _skip(run, f"same data as import {same_as}, which the ledger holds", checksums)
            return
    _swap(run, source_totals)
    # The swap marked the run succeeded in its own transaction; record when it became durable
    # (after the commit, which for large imports is a noticeable part of the work).
    BillingImport.objects.filter(pk=run.pk).update(finished_at=utcnow())


def _file_names(run: BillingImport) -> list[str]:
    """Names of the run's files (a table run lists its location there, and has no files)."""
    return [] if run.location else run.file_names


def _stage(cur: object, batches: object, totals: Totals, progress: Progress) -> int:
    """COPY every batch into the staging table; returns the number of rows staged."""
    staged = 0
    for batch in prefetch(batches):
        totals.add_batch(batch)
        _copy_batch(cur, batch)
        staged += batch.num_rows
        progress.add(batch.num_rows)
    return staged


def _import_in_place(run: BillingImport, checksums: dict, periods: list[str]) -> int | None:
    """The id of the newest succeeded import of these periods in this source, when it read the
    same data (same checksums, same periods) and no later import has touched those periods."""
    touching = Q()
    for period in periods:
        touching |= Q(billing_periods__contains=[period])
    latest = (
        BillingImport.objects.filter(
            touching, source_id=run.source_id, status=ImportStatus.SUCCEEDED
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if latest is None or latest.sha256 != checksums or latest.billing_periods != periods:
        return None
    return latest.pk


def _skip(run: BillingImport, note: str, checksums: dict) -> None:
    BillingImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.SKIPPED, note=note, sha256=checksums, finished_at=utcnow()
    )


def _copy_batch(cur: object, batch: pa.RecordBatch) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, CSV_OPTIONS)
    with cur.cursor.copy(COPY_STAGE) as copy:
        copy.write(buffer.getbuffer())


@transaction.atomic
def _swap(run: BillingImport, source_totals: dict) -> None:
    """Delete the slices, insert the staged rows, check totals and mark the run succeeded,
    all or nothing (a run is never left "running" over data it already swapped in)."""
    # One swap per source at a time: a concurrent import's DELETE would not see rows another
    # import has just inserted (READ COMMITTED snapshot) and the slice would end up doubled.
    BillingSource.objects.select_for_update().get(pk=run.source_id)
    with connection.cursor() as cur:
        cur.execute(
            load_sql("billing", "delete_cost_line_items_for_slices"),
            {"source_id": run.source_id},
        )
        _insert_from_stage(cur, run)
        cur.execute(load_sql("billing", "sum_cost_line_items_by_period"), {"import_id": run.pk})
        stored = _stored_totals(cur.fetchall())
    if stored != source_totals:
        raise TotalsMismatch(
            "stored totals differ from the file's totals",
            details={"source_totals": source_totals, "stored_totals": stored},
        )
    BillingImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.SUCCEEDED, stored_totals=stored, finished_at=utcnow()
    )


def _insert_from_stage(cur: object, run: BillingImport) -> None:
    cur.execute(
        load_sql("billing", "insert_cost_line_items_from_stage"),
        {"source_id": run.source_id, "import_id": run.pk},
    )


def _stored_totals(rows: list[tuple]) -> dict:
    result: dict = {}
    for period, currency, billed, effective, listed, count in rows:
        period_key = period.isoformat() if isinstance(period, date) else str(period)
        result.setdefault(period_key, {})[currency] = {
            "billed_cost": decimal_text(billed),
            "effective_cost": decimal_text(effective),
            "list_cost": decimal_text(listed),
            "rows": count,
        }
    return result
