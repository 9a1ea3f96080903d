"""Pull one configured cloud connection: import its current and previous billing months.

Guarantees:
- Each month the source offers is imported through the normal import run (staged, swapped
  per (source, account, period), totals checked), so a restated month replaces the old one.
  S3: the newest CUR manifest of each of the two periods; BigQuery: each invoice month.
- Idempotent: imports run with ``skip_unchanged``, so pulling unchanged data again records
  skipped runs and leaves the ledger (and its row ids) as it was.
- Every pull is recorded on the connection (``last_run_at``, ``last_status``, ``last_error``)
  and its imports point to it. ``SourceUnavailable`` is recorded, then re-raised so the caller
  (``billing.connection_pull``) retries this connection alone; other errors fail the pull.
"""

import logging
from datetime import date, datetime

from django.db import transaction

from apps.billing.choices import ConnectionKind, ConnectionStatus, ImportStatus
from apps.billing.models import BillingImport, BillingSource, CloudConnection
from apps.billing.services.billing_import import billing_import_create, billing_import_run
from apps.billing.services.billing_import_table import billing_import_table
from apps.common.clock import utcnow
from apps.common.errors import CostgovError, SourceUnavailable

logger = logging.getLogger(__name__)

TRIGGERED_BY = "connection"


def pull_months(today: date) -> list[date]:
    """The previous and the current month (first days), in that order."""
    current = today.replace(day=1)
    previous = date(current.year - (current.month == 1), (current.month - 2) % 12 + 1, 1)
    return [previous, current]


def connection_pull(*, connection_id: int, now: datetime | None = None) -> list[BillingImport]:
    """Import what one enabled connection offers now; returns the runs it made (a disabled
    connection makes none). Raises ``SourceUnavailable`` after recording it."""
    connection = CloudConnection.objects.filter(pk=connection_id, is_enabled=True).first()
    if connection is None:
        return []
    now = now or utcnow()
    months = pull_months(now.date())
    _ensure_source(connection)
    try:
        if connection.kind == ConnectionKind.S3:
            runs = _pull_s3(connection, months)
        else:
            runs = _pull_bigquery(connection, months)
    except SourceUnavailable as exc:
        _record(connection, now, ConnectionStatus.UNAVAILABLE, exc.message)
        raise
    except CostgovError as exc:
        _record(connection, now, ConnectionStatus.FAILED, exc.message)
        return []
    errors = [f"import {run.pk}: {run.error}" for run in runs if run.status == ImportStatus.FAILED]
    status = ConnectionStatus.FAILED if errors else ConnectionStatus.OK
    _record(connection, now, status, "\n".join(errors))
    return runs


@transaction.atomic
def _ensure_source(connection: CloudConnection) -> None:
    """The connection's billing source, created at its first pull (renames keep it)."""
    locked = CloudConnection.objects.select_for_update().get(pk=connection.pk)
    if locked.source_id is None:
        source, _ = BillingSource.objects.get_or_create(
            name=f"connection:{connection.name}", defaults={"uri": connection.location}
        )
        CloudConnection.objects.filter(pk=connection.pk).update(source=source)
        locked.source_id = source.pk
    connection.source_id = locked.source_id
    connection.source = BillingSource.objects.get(pk=locked.source_id)


def _pull_s3(connection: CloudConnection, months: list[date]) -> list[BillingImport]:
    from apps.billing.s3 import period_files  # lazy: boto3
    from apps.billing.sources import display_names

    runs = []
    wanted = {month.strftime("%Y-%m") for month in months}
    with period_files(connection.location, wanted) as by_period:
        for _, paths in sorted(by_period.items()):
            run = billing_import_create(
                paths=paths,
                names=display_names(paths),
                source_name=connection.source.name,
                triggered_by=TRIGGERED_BY,
                connection=connection,
            )
            runs.append(billing_import_run(import_id=run.pk, skip_unchanged=True))
    return runs


def _pull_bigquery(connection: CloudConnection, months: list[date]) -> list[BillingImport]:
    from apps.billing.bigquery import month_location  # lazy: google-cloud-bigquery

    return [
        billing_import_table(
            location=month_location(connection.location, month.strftime("%Y%m")),
            source_name=connection.source.name,
            triggered_by=TRIGGERED_BY,
            skip_unchanged=True,
            connection=connection,
        )
        for month in months
    ]


def _record(connection: CloudConnection, now: datetime, status: str, error: str) -> None:
    if error:
        logger.warning("billing connection %s: %s: %s", connection.name, status, error)
    CloudConnection.objects.filter(pk=connection.pk).update(
        last_run_at=now, last_status=status, last_error=error
    )
