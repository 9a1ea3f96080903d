"""Time helpers. Everything is timezone-aware UTC; periods are half-open [start, end)."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone


def utcnow() -> datetime:
    return timezone.now()


def day_start(day: date) -> datetime:
    """The instant a UTC billing day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = day.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1)


def parse_aware(text: str) -> datetime:
    """Parse an ISO-8601 instant that carries an offset; a naive value is an error."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return value.astimezone(UTC)
