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

The run is not one big transaction on purpose: progress (``rows_done``) and the failure record
must be visible to the API while the import runs and after it fails.
"""

import hashlib
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction

from apps.accounts.models import User
from apps.billing.choices import BillingFormat, ImportStatus
from apps.billing.models import BillingImport, BillingSource
from apps.billing.parsers.common import LEDGER_COLUMNS
from apps.billing.parsers.detect import open_reader
from apps.common.clock import utcnow
from apps.common.errors import CostgovError, InputFileError
from apps.common.sql import load_sql

logger = logging.getLogger(__name__)

METRICS = ("billed_cost", "effective_cost", "list_cost")
COPY_STAGE = "COPY billing_stage_line_item ({}) FROM STDIN WITH (FORMAT csv)".format(
    ", ".join(LEDGER_COLUMNS)
)
CSV_OPTIONS = pacsv.WriteOptions(include_header=False)


class TotalsMismatch(CostgovError):
    """Stored totals differ from the file's totals; the swap is rolled back."""


@dataclass
class _Totals:
    """Running sums per (period, currency): ``{(period, currency): {metric: Decimal, rows: n}}``."""

    sums: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))

    def add_batch(self, batch: pa.RecordBatch) -> None:
        grouped = (
            pa.Table.from_batches([batch])
            .group_by(["billing_period_start", "billing_currency"])
            .aggregate([*((m, "sum") for m in METRICS), ("billed_cost", "count")])
        )
        for row in grouped.to_pylist():
            key = (row["billing_period_start"], row["billing_currency"])
            for metric in METRICS:
                self.sums[key][metric] += row[f"{metric}_sum"]
            self.sums[key]["rows"] += row["billed_cost_count"]

    def as_json(self) -> dict:
        result: dict = {}
        for (period, currency), sums in sorted(self.sums.items()):
            result.setdefault(period.isoformat(), {})[currency] = {
                **{metric: decimal_text(sums[metric]) for metric in METRICS},
                "rows": int(sums["rows"]),
            }
        return result


def decimal_text(value: Decimal) -> str:
    """Exact, plain notation, no trailing zeros: ``Decimal('30.000')`` -> ``"30"``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


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
    )


def billing_import_run(
    *, import_id: int, default_currency: str = "USD", now: datetime | None = None
) -> BillingImport:
    """Run a pending import. Returns the run, succeeded or failed; a second call is a no-op.

    Bad input does not raise: the run is marked failed with the message. Unexpected errors
    mark it failed and are re-raised.
    """
    claimed = BillingImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=now or utcnow()
    )
    run = BillingImport.objects.select_related("source").get(pk=import_id)
    if claimed != 1:
        return run
    try:
        _execute(run, default_currency=default_currency)
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
    file_format: str = BillingFormat.AUTO,
    source_name: str = "default",
    triggered_by: str,
    created_by: User | None = None,
    default_currency: str = "USD",
) -> BillingImport:
    """Import files now, in this process (command line, tests, benchmark)."""
    run = billing_import_create(
        paths=paths,
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


def _execute(run: BillingImport, *, default_currency: str) -> None:
    totals = _Totals()
    rows = 0
    formats = []
    checksums = {}
    with connection.cursor() as cur:
        cur.execute(load_sql("billing", "create_stage_cost_line_item"))
        for path_text, name in zip(run.file_paths, run.file_names, strict=True):
            path = Path(path_text)
            checksums[name] = _sha256(path)
            file_format, batches = open_reader(
                path, name=name, file_format=run.format, default_currency=default_currency
            )
            formats.append(file_format)
            file_rows = 0
            for batch in batches:
                totals.add_batch(batch)
                _copy_batch(cur, batch)
                file_rows += batch.num_rows
                rows += batch.num_rows
                BillingImport.objects.filter(pk=run.pk).update(rows_done=rows)
            if file_rows == 0:
                raise InputFileError("file has a header but no line items", file=name, row=2)
    source_totals = totals.as_json()
    BillingImport.objects.filter(pk=run.pk).update(
        sha256=checksums,
        rows_total=rows,
        format=formats[0] if len(set(formats)) == 1 else run.format,
        source_totals=source_totals,
        billing_periods=sorted(source_totals),
    )
    stored_totals = _swap(run, source_totals)
    BillingImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.SUCCEEDED, stored_totals=stored_totals, finished_at=utcnow()
    )


def _copy_batch(cur: object, batch: pa.RecordBatch) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, CSV_OPTIONS)
    with cur.cursor.copy(COPY_STAGE) as copy:
        copy.write(buffer.getbuffer())


@transaction.atomic
def _swap(run: BillingImport, source_totals: dict) -> dict:
    """Delete the slices, insert the staged rows, and check totals, all or nothing."""
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
    return stored


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
