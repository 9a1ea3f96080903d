"""``import_billing PATH_OR_URL``: import billing export files now, in this process."""

import json
from argparse import ArgumentParser
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from apps.billing.choices import BillingFormat, ImportStatus
from apps.billing.models import BillingImport
from apps.billing.services.billing_import import billing_import_file, decimal_text
from apps.billing.services.billing_import_table import billing_import_table
from apps.billing.sources import display_names, is_table_location, resolve_files
from apps.common.errors import CostgovError


class Command(BaseCommand):
    help = (
        "Import an AWS CUR, CUR 2.0, GCP or FOCUS export (a file, a folder or s3://…), "
        "or one invoice month of a GCP billing export table (bq://…?month=YYYYMM)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "location",
            help="file, folder, s3://bucket/prefix or bq://project.dataset.table?month=YYYYMM",
        )
        parser.add_argument(
            "--format",
            default=BillingFormat.AUTO,
            choices=[choice.value for choice in BillingFormat],
        )
        parser.add_argument("--source", default="default", help="billing source name")
        parser.add_argument("--currency", default="USD", help="when the file has none (FOCUS)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args: object, **options: object) -> None:
        location = str(options["location"])
        try:
            if is_table_location(location):
                run = billing_import_table(
                    location=location, source_name=str(options["source"]), triggered_by="command"
                )
            else:
                run = self._import_files(location, options)
        except CostgovError as exc:
            raise CommandError(exc.message) from exc
        if run.status == ImportStatus.SKIPPED:
            self.stdout.write(f"import {run.pk}: skipped, {run.note}")
            return
        if run.status != ImportStatus.SUCCEEDED:
            raise CommandError(f"import {run.pk} failed: {run.error}")
        totals: dict[str, str] = {}
        for per_currency in run.stored_totals.values():
            for currency, sums in per_currency.items():
                totals[currency] = str(sum_text(totals.get(currency, "0"), sums["billed_cost"]))
        if options["json"]:
            summary = {
                "import_id": run.pk,
                "rows": run.rows_total,
                "billing_periods": run.billing_periods,
                "totals": totals,
            }
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"import {run.pk}: {run.rows_total} rows, periods "
                f"{', '.join(run.billing_periods)}, billed "
                + ", ".join(f"{value} {currency}" for currency, value in totals.items())
            )

    def _import_files(self, location: str, options: dict) -> BillingImport:
        with resolve_files(location) as files:
            return billing_import_file(
                paths=files,
                names=display_names(files),
                file_format=str(options["format"]),
                source_name=str(options["source"]),
                triggered_by="command",
                default_currency=str(options["currency"]),
            )


def sum_text(a: str, b: str) -> str:
    return decimal_text(Decimal(a) + Decimal(b))
