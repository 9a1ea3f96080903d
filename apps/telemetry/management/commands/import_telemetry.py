"""Backfill telemetry from files: ``manage.py import_telemetry PATH [PATH …]``.

PATH is a file or a folder (searched recursively) of ``*.ndjson``, ``*.jsonl``,
``*.ndjson.gz``, ``*.jsonl.gz`` or ``*.csv``. Events go through the same validation, dedup and
rollups as the API, in chunks; rejected rows are listed with file and row number. The days
imported are queued for re-allocation (``--no-reallocate`` to skip).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.common.errors import InputFileError
from apps.telemetry.services.files_import import telemetry_files_import


class Command(BaseCommand):
    help = "Import telemetry events from NDJSON, NDJSON.gz or CSV files or folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument(
            "--no-reallocate",
            action="store_true",
            help="do not queue the re-allocation of the days imported",
        )

    def handle(self, *args: object, **options: object) -> None:
        def rejected(path: Path, row: int, field: str, error: str) -> None:
            self.stderr.write(f"  {path}, row {row}, {field}: {error}")

        try:
            result = telemetry_files_import(
                paths=[Path(p) for p in options["paths"]],
                now=timezone.now(),
                retention_days=settings.TELEMETRY_RETENTION_DAYS,
                on_rejection=rejected,
                reallocate=not options["no_reallocate"],
            )
        except InputFileError as exc:
            raise CommandError(exc.message) from exc
        for counts in result.files:
            self.stdout.write(
                f"{counts.path}: {counts.accepted} accepted, {counts.duplicates} duplicates, "
                f"{counts.rejected} rejected"
            )
        self.stdout.write(
            f"total: {result.total('accepted')} accepted, {result.total('duplicates')} "
            f"duplicates, {result.total('rejected')} rejected"
        )
