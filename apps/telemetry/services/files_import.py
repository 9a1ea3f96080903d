"""Backfill telemetry from files (NDJSON, NDJSON.gz, JSON Lines, CSV), streamed in chunks.

Events go through the same validation, dedup and rollups as the API. Idempotent: a re-run adds
only what is missing (events are keyed by endpoint and request id). After a backfill the days it
touched are queued for re-allocation, by task name (telemetry sits below attribution).
"""

import gzip
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path

from celery import current_app

from apps.common.errors import InputFileError
from apps.telemetry.parsers.bodies import BodyError, iter_csv, iter_ndjson
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply

SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz", ".csv")
CHUNK = 5000
REALLOCATE_TASK = "attribution.days_reallocate"


@dataclass
class FileCounts:
    path: Path
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


@dataclass
class FilesImportResult:
    files: list[FileCounts] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None

    def total(self, key: str) -> int:
        return sum(getattr(f, key) for f in self.files)


def telemetry_files_find(paths: list[Path]) -> list[Path]:
    """Files given directly, and the telemetry files under folders (recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputFileError("no such file or folder", file=str(path))
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


def _event_day(event: object) -> date | None:
    try:
        return datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00")).date()  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def _file_import(
    path: Path,
    *,
    result: FilesImportResult,
    now: datetime,
    retention_days: int,
    on_rejection: Callable[[Path, int, str, str], None] | None,
) -> None:
    """Import one file in chunks, adding its counts and days to ``result``."""
    counts = FileCounts(path=path)
    result.files.append(counts)
    offset = 0
    try:
        with _events(path) as events:
            while chunk := list(islice(events, CHUNK)):
                outcome = telemetry_events_ingest(
                    events=chunk, team_ids=None, now=now, retention_days=retention_days
                )
                counts.accepted += outcome.accepted
                counts.duplicates += outcome.duplicates
                counts.rejected += len({r.index for r in outcome.rejected})
                for rejection in outcome.rejected:
                    if on_rejection is not None:
                        on_rejection(
                            path, offset + rejection.index + 1, rejection.field, rejection.error
                        )
                for day in filter(None, (_event_day(chunk[0]), _event_day(chunk[-1]))):
                    result.first_day = min(result.first_day or day, day)
                    result.last_day = max(result.last_day or day, day)
                offset += len(chunk)
    except (BodyError, OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"{exc} ({counts.accepted} events stored)", file=str(path), row=offset + 1
        ) from exc


def telemetry_files_import(
    *,
    paths: list[Path],
    now: datetime,
    retention_days: int,
    on_rejection: Callable[[Path, int, str, str], None] | None = None,
    reallocate: bool = True,
) -> FilesImportResult:
    """Import every telemetry file under ``paths``; ``on_rejection(path, row, field, error)``
    hears about each refused row (rows count events from 1; CSV: data rows after the header).

    A file that cannot be read raises ``InputFileError`` naming it; the chunks before the bad
    line are kept (re-running after a fix only adds what is missing).
    """
    result = FilesImportResult()
    try:
        for path in telemetry_files_find(paths):
            _file_import(
                path, result=result, now=now, retention_days=retention_days,
                on_rejection=on_rejection,
            )  # fmt: skip
    finally:
        # A backfill is done when its events are in the rollups, not merely stored (also
        # the chunks kept before a bad line).
        telemetry_rollups_apply()
    if reallocate and result.total("accepted") and result.first_day and result.last_day:
        # A day either side: an event's UTC day can differ from the day written in its offset.
        start = result.first_day - timedelta(days=1)
        end = result.last_day + timedelta(days=2)
        current_app.send_task(
            REALLOCATE_TASK, args=[start.isoformat(), end.isoformat(), "telemetry-backfill"]
        )
    return result
