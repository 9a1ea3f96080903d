"""Backfill telemetry from files: ``manage.py import_telemetry PATH [PATH …]``.

PATH is a file or a folder (searched recursively) of ``*.ndjson``, ``*.jsonl``,
``*.ndjson.gz``, ``*.jsonl.gz`` or ``*.csv``. Events go through the same validation, dedup and
rollups as the API, in chunks; rejected rows are listed with file and row number.
"""

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.telemetry.parsers.bodies import BodyError, iter_csv, iter_ndjson
from apps.telemetry.services.event_ingest import telemetry_events_ingest

SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz", ".csv")
CHUNK = 5000


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{raw}: no such file or folder")
    return found


@contextmanager
def _events(path: Path) -> Iterator[Iterator[object]]:
    """The file's events, streamed (a backfill file may be far larger than memory)."""
    if path.name.endswith(".csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield iter_csv(handle)
    else:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            yield iter_ndjson(handle)


class Command(BaseCommand):
    help = "Import telemetry events from NDJSON, NDJSON.gz or CSV files or folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")

    def handle(self, *args: object, **options: object) -> None:
        totals = {"accepted": 0, "duplicates": 0, "rejected": 0}
        for path in _files(options["paths"]):
            counts = {"accepted": 0, "duplicates": 0, "rejected": 0}
            offset = 0
            try:
                with _events(path) as events:
                    while chunk := list(islice(events, CHUNK)):
                        result = telemetry_events_ingest(
                            events=chunk,
                            team_ids=None,
                            now=timezone.now(),
                            retention_days=settings.TELEMETRY_RETENTION_DAYS,
                        )
                        counts["accepted"] += result.accepted
                        counts["duplicates"] += result.duplicates
                        counts["rejected"] += len({r.index for r in result.rejected})
                        for rejection in result.rejected:
                            # Row numbers count events from 1 (CSV: data rows after the header).
                            row = offset + rejection.index + 1
                            self.stderr.write(
                                f"  {path}, row {row}, {rejection.field}: {rejection.error}"
                            )
                        offset += len(chunk)
            except (BodyError, OSError, EOFError, UnicodeDecodeError) as exc:
                # Chunks before the bad line are stored; a re-run after fixing the file only
                # adds what is missing (events are idempotent by request_id).
                raise CommandError(f"{path}: {exc} ({counts['accepted']} events stored)") from exc
            self.stdout.write(
                f"{path}: {counts['accepted']} accepted, {counts['duplicates']} duplicates, "
                f"{counts['rejected']} rejected"
            )
            for key, value in counts.items():
                totals[key] += value
        self.stdout.write(
            f"total: {totals['accepted']} accepted, {totals['duplicates']} duplicates, "
            f"{totals['rejected']} rejected"
        )
