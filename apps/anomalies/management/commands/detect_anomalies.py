"""``detect_anomalies [--granularity hour|day] [--start ISO] [--end ISO]``: detect now, in process.

Without a window: the last 6 hours (hourly) or 3 days (daily), as the beat task does. A backfill
over a long window is idempotent; running it twice changes nothing.
"""

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.anomalies.services.anomalies_detect import anomalies_detect


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not an ISO date or date-time") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # the command documents naive input as UTC
    return value


class Command(BaseCommand):
    help = "Detect cost anomalies over a window (default: the most recent one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--granularity", choices=["hour", "day"], default="hour")
        parser.add_argument("--start", help="ISO date or date-time (UTC if no offset)")
        parser.add_argument("--end", help="ISO date or date-time, exclusive (default: now)")

    def handle(self, *args: object, **options: object) -> None:
        granularity = str(options["granularity"])
        now = timezone.now()
        end = (
            _instant(options["end"])
            if options["end"]
            else now.replace(minute=0, second=0, microsecond=0)
        )
        default_span = timedelta(hours=6) if granularity == "hour" else timedelta(days=3)
        start = _instant(options["start"]) if options["start"] else end - default_span
        if start >= end:
            raise CommandError("--start must be before --end")
        summary = anomalies_detect(granularity=granularity, start=start, end=end, now=now)
        self.stdout.write(
            f"{granularity}: {summary.series} series, {summary.created} created, "
            f"{summary.updated} updated, {summary.resolved} resolved, "
            f"{summary.suppressed} suppressed"
        )
