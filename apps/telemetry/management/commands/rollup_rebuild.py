"""Recompute hourly telemetry rollups from raw events: ``manage.py rollup_rebuild START END``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.common.clock import parse_aware
from apps.common.errors import ValidationFailed
from apps.telemetry.services.rollup_rebuild import rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild telemetry hourly rollups for [START, END) (ISO-8601 with offset)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start")
        parser.add_argument("end")

    def handle(self, *args: object, **options: object) -> None:
        try:
            start, end = parse_aware(options["start"]), parse_aware(options["end"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if end <= start:
            raise CommandError("END must be after START")
        try:
            written = rollup_rebuild(
                start=start,
                end=end,
                now=timezone.now(),
                retention_days=settings.TELEMETRY_RETENTION_DAYS,
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{written} rollup rows rebuilt for [{start:%FT%H:%MZ}, {end:%FT%H:%MZ})")
