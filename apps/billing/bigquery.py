"""``bq://project.dataset.table?month=YYYYMM``: one invoice month of a GCP billing export table.

The standard (``gcp_billing_export_v1_…``) and detailed (``gcp_billing_export_resource_v1_…``)
exports share the columns read here; the detailed one adds ``resource.name`` and
``resource.global_name``. The query (``sql/bq_select_billing_month.sql``) selects only the
columns the ledger uses that the table has (BigQuery bills by bytes of the columns read),
keeps the rows of ``invoice.month = @invoice_month``, and bounds the partition column so only
the partitions that can hold the month are scanned:

* ingestion-time partitioning: ``_PARTITIONTIME`` (export time), the usual export layout;
* column partitioning: that column (``usage_start_time`` or ``export_time``);
* bounds: from ``PARTITION_DAYS_BEFORE`` days before the month (usage reported late is
  invoiced in the month after its usage) up to the first day of the month after next (late
  rows and corrections are exported during the following month, which is also how long
  ``billing.connections_pull`` re-reads a closed month).

Results are read page by page (``PAGE_ROWS`` rows a request) and each page is normalised by
the GCP file reader (``apps.billing.parsers.gcp``), so a table import yields exactly the rows
an export file of the same data yields. BigQuery stores ``cost`` and credit amounts as FLOAT64;
as with Parquet DOUBLE money, each value becomes the exact decimal of its shortest round-trip
text (``"0.1"``, never ``0.1000000000000000055…``).

Failures to reach BigQuery (connection errors, 5xx, 429, timeouts) raise ``SourceUnavailable``;
refusals (no such table, no permission, bad query) raise ``ValidationFailed``.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import requests
from django.conf import settings

from apps.billing.parsers import gcp
from apps.billing.parsers.files import RawBatch, flatten_structs
from apps.common.errors import InputFileError, SourceUnavailable, ValidationFailed
from apps.common.sql import load_sql

PAGE_ROWS = 20_000
PARTITION_DAYS_BEFORE = 7
RETRY_DEADLINE_S = 120.0
INGESTION_TIME = "_PARTITIONTIME"

# Columns the GCP reader maps (apps.billing.parsers.gcp.normalize), by top-level column.
SCALARS = (
    "billing_account_id",
    "cost",
    "cost_at_list",
    "cost_type",
    "currency",
    "usage_start_time",
    "usage_end_time",
    "credits",
    "labels",
)
LEAVES = {
    "service": ("id", "description"),
    "sku": ("id", "description"),
    "project": ("id",),
    "invoice": ("month",),
    "usage": ("amount", "unit", "amount_in_pricing_units", "pricing_unit"),
    "location": ("location", "region"),
    "resource": ("name", "global_name"),
}

_TABLE = re.compile(
    r"^bq://(?P<project>[a-z][a-z0-9-]{4,62})\.(?P<dataset>\w{1,1024})\.(?P<table>\w{1,1024})$"
)
_MONTH = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class TableMonth:
    project: str
    dataset: str
    table: str
    month: str  # YYYYMM, the invoice month

    @property
    def table_id(self) -> str:
        return f"{self.project}.{self.dataset}.{self.table}"

    @property
    def location(self) -> str:
        return month_location(f"bq://{self.table_id}", self.month)

    @property
    def month_start(self) -> date:
        return date(int(self.month[:4]), int(self.month[4:]), 1)


def parse_table(location: str) -> tuple[str, str, str]:
    """``(project, dataset, table)`` of ``bq://project.dataset.table`` (query string ignored)."""
    match = _TABLE.match(location.split("?", 1)[0])
    if match is None:
        raise InputFileError("not a bq://project.dataset.table location", file=location)
    return match["project"], match["dataset"], match["table"]


def parse_location(location: str) -> TableMonth:
    project, dataset, table = parse_table(location)
    months = parse_qs(urlsplit(location).query).get("month", [])
    if len(months) != 1 or not _MONTH.match(months[0]):
        raise InputFileError("name one invoice month: bq://…?month=YYYYMM", file=location)
    return TableMonth(project=project, dataset=dataset, table=table, month=months[0])


def month_location(table_location: str, month: str) -> str:
    return f"{table_location.split('?', 1)[0]}?month={month}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_RETRYABLE_STATUS = (429, 500, 502, 503, 504)


@contextmanager
def _translated(what: str) -> Iterator[None]:
    from google.api_core import exceptions as api_exceptions
    from google.auth import exceptions as auth_exceptions

    try:
        yield
    except api_exceptions.GoogleAPICallError as exc:
        if exc.code in _RETRYABLE_STATUS:
            raise SourceUnavailable(f"BigQuery {what} failed: {exc.message}") from exc
        raise ValidationFailed(f"BigQuery {what} refused: {exc.message}") from exc
    except (api_exceptions.RetryError, TimeoutError) as exc:
        raise SourceUnavailable(f"BigQuery {what} timed out: {exc}") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SourceUnavailable(f"BigQuery {what} unreachable: {exc}") from exc
    except auth_exceptions.GoogleAuthError as exc:
        raise ValidationFailed(f"BigQuery {what}: credentials not usable: {exc}") from exc


def _client(project: str):  # noqa: ANN202 - imported lazily, like boto3 in apps.billing.s3
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    options = {}
    if settings.BILLING_BIGQUERY_API_ENDPOINT:
        options["api_endpoint"] = settings.BILLING_BIGQUERY_API_ENDPOINT
    # Anonymous only makes sense for a local BigQuery stand-in; Google requires credentials.
    credentials = AnonymousCredentials() if settings.BILLING_BIGQUERY_ANONYMOUS else None
    with _translated("client"):
        return bigquery.Client(project=project, credentials=credentials, client_options=options)


def _retry():  # noqa: ANN202
    from google.cloud.bigquery import DEFAULT_RETRY

    return DEFAULT_RETRY.with_timeout(RETRY_DEADLINE_S)


def month_query(table: object, target: TableMonth) -> tuple[str, list]:
    """The SQL text and query parameters reading ``target.month`` from ``table`` (a
    ``bigquery.Table`` with its schema). Identifiers come from the validated location and the
    table's own schema; every value is a parameter."""
    from google.cloud.bigquery import ScalarQueryParameter

    fields = {field.name: field for field in table.schema}
    items = [name for name in SCALARS if name in fields]
    for parent, leaves in LEAVES.items():
        if parent not in fields:
            continue
        present = {child.name for child in fields[parent].fields}
        chosen = [leaf for leaf in leaves if leaf in present]
        if chosen:
            inner = ", ".join(f"{parent}.{leaf} AS {leaf}" for leaf in chosen)
            items.append(f"STRUCT({inner}) AS {parent}")
    missing = [name for name in gcp.REQUIRED if not _has(fields, name)]
    if missing:
        raise InputFileError(
            f"table lacks the billing export columns {', '.join(missing)}", file=target.table_id
        )
    params = [ScalarQueryParameter("invoice_month", "STRING", target.month)]
    partition_filter = ""
    partitioning = table.time_partitioning
    if partitioning is not None:
        column = partitioning.field or INGESTION_TIME
        column_type = "TIMESTAMP" if column == INGESTION_TIME else fields[column].field_type
        start = target.month_start - timedelta(days=PARTITION_DAYS_BEFORE)
        end = _add_months(target.month_start, 2)
        # BigQuery reads a TIMESTAMP literal without a zone as UTC; DATETIME has no zone.
        if column_type in ("TIMESTAMP", "DATETIME"):
            bounds = (f"{start.isoformat()} 00:00:00", f"{end.isoformat()} 00:00:00")
        else:
            bounds = (start, end)
        params += [
            ScalarQueryParameter("partition_start", column_type, bounds[0]),
            ScalarQueryParameter("partition_end", column_type, bounds[1]),
        ]
        partition_filter = f"\n  AND {column} >= @partition_start AND {column} < @partition_end"  # noqa: S608
    template = "\n".join(
        line
        for line in load_sql("billing", "bq_select_billing_month").splitlines()
        if not line.startswith("--")
    )
    sql = template.format(
        columns=",\n  ".join(items), table=target.table_id, partition_filter=partition_filter
    )
    return sql, params


def _has(fields: dict, dotted: str) -> bool:
    parent, _, leaf = dotted.partition(".")
    if parent not in fields:
        return False
    return not leaf or any(child.name == leaf for child in fields[parent].fields)


def fetch_month(location: str, *, page_rows: int = PAGE_ROWS) -> Iterator[pa.RecordBatch]:
    """Normalised ledger batches of one invoice month, one per result page (bounded memory).

    Rows are numbered from 1 in result order, as JSON Lines records are; errors name the
    ``bq://`` location as the file.
    """
    from google.cloud.bigquery import QueryJobConfig

    target = parse_location(location)
    client = _client(target.project)
    with _translated(f"tables.get {target.table_id}"):
        table = client.get_table(target.table_id, retry=_retry())
    sql, params = month_query(table, target)
    with _translated(f"query of {target.table_id}"):
        rows = client.query_and_wait(
            sql,
            job_config=QueryJobConfig(query_parameters=params),
            location=table.location,
            page_size=page_rows,
            retry=_retry(),
            job_retry=None,
        )
        first_row = 1
        for batch in rows.to_arrow_iterable():
            if not batch.num_rows:
                continue
            raw = RawBatch(batch=flatten_structs(batch), first_row=first_row)
            first_row += batch.num_rows
            yield gcp.normalize(raw, file=target.location)
