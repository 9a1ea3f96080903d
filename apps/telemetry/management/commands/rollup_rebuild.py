"""Recompute hourly telemetry rollups from raw events: ``manage.py rollup_rebuild START END``."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.common.clock import parse_aware
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
        written = rollup_rebuild(start=start, end=end)
        self.stdout.write(f"{written} rollup rows rebuilt for [{start:%FT%H:%MZ}, {end:%FT%H:%MZ})")
