"""``manage.py import_prices --provider aws|gcp``: refresh the price book from a provider API."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.common.errors import CostgovError


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class Command(BaseCommand):
    help = "Import on-demand, spot and commitment prices (AWS Pricing/EC2, GCP Cloud Catalog)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", required=True, choices=["aws", "gcp"])
        parser.add_argument(
            "--region", action="append", default=[], help="Repeatable or comma-separated."
        )
        parser.add_argument(
            "--instance-types", default="", help="Comma-separated, e.g. p5.48xlarge,g6.xlarge."
        )

    def handle(self, *args: object, **options: object) -> None:
        from apps.catalog.services.price_import_aws import price_import_aws
        from apps.catalog.services.price_import_gcp import price_import_gcp

        importer = {"aws": price_import_aws, "gcp": price_import_gcp}[options["provider"]]
        regions = [region for value in options["region"] for region in _csv(value)]
        try:
            result = importer(
                now=timezone.now(),
                regions=regions or None,
                instance_types=_csv(options["instance_types"]) or None,
            )
        except CostgovError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{options['provider']} prices: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        for pair in result.not_found:
            self.stdout.write(f"not offered / not priced: {pair}")
