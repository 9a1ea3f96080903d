"""Import one invoice month of a BigQuery billing export table (``bq://…?month=YYYYMM``).

The run is the normal import run (``billing_import_run``): rows are streamed from the query's
result pages into the staging table, swapped per (source, account, period) and totals-checked.
It records the location instead of files, and the checksum of the rows read.
"""

from apps.accounts.models import User
from apps.billing.choices import BillingFormat
from apps.billing.models import BillingImport, BillingSource, CloudConnection
from apps.billing.services.billing_import import billing_import_run


def billing_import_table_create(
    *,
    location: str,
    source_name: str = "default",
    triggered_by: str,
    created_by: User | None = None,
    connection: CloudConnection | None = None,
) -> BillingImport:
    """Record a pending import of one invoice month of a BigQuery billing export table."""
    from apps.billing.bigquery import parse_location  # lazy: google-cloud-bigquery

    target = parse_location(location)
    source, _ = BillingSource.objects.get_or_create(name=source_name)
    return BillingImport.objects.create(
        source=source,
        format=BillingFormat.GCP,
        location=target.location,
        file_names=[target.location],
        triggered_by=triggered_by,
        created_by=created_by,
        connection=connection,
    )


def billing_import_table(
    *,
    location: str,
    source_name: str = "default",
    triggered_by: str,
    skip_unchanged: bool = False,
    connection: CloudConnection | None = None,
) -> BillingImport:
    """Import one invoice month of a BigQuery table now, in this process (command, pulls)."""
    run = billing_import_table_create(
        location=location,
        source_name=source_name,
        triggered_by=triggered_by,
        connection=connection,
    )
    return billing_import_run(import_id=run.pk, skip_unchanged=skip_unchanged)
