"""Validate telemetry events (pure code, no ORM).

The rules here are the ones in ``apps/telemetry/schema/event.schema.json`` and
``docs/telemetry.md``; the schema test checks both accept and refuse the same samples.
Validation is hand-written rather than run through a JSON Schema engine because it sits on
the hot ingest path (tens of thousands of events a second).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

REQUIRED_FIELDS = (
    "ts",
    "request_id",
    "endpoint",
    "model",
    "input_tokens",
    "output_tokens",
    "latency_ms",
)
OPTIONAL_FIELDS = (
    "model_version",
    "cached_input_tokens",
    "ttft_ms",
    "queue_ms",
    "accelerator",
    "resource_id",
    "lane",
    "customer",
    "status",
    "cache_hit",
    "prompt_hash",
    "batch_size",
    "attributes",
)
ALL_FIELDS = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)
LANES = frozenset({"interactive", "nearline", "batch"})
STATUSES = frozenset({"ok", "error", "timeout"})
MAX_TOKENS = 10_000_000_000
MAX_DURATION_MS = 86_400_000
MAX_BATCH_SIZE = 100_000
MAX_ATTRIBUTES_BYTES = 8192
TEXT_LIMITS = {
    "request_id": 200,
    "endpoint": 200,
    "model": 200,
    "model_version": 200,
    "accelerator": 64,
    "resource_id": 256,
    "customer": 200,
    "prompt_hash": 128,
}


@dataclass(frozen=True)
class Rejection:
    """One problem with one event: its 0-based index in the request, the field, the reason."""

    index: int
    field: str
    error: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "error": self.error}


@dataclass(frozen=True)
class Window:
    """The accepted range of ``ts``: [oldest, newest)."""

    oldest: datetime
    newest: datetime


# A valid event in staging-column order, with the endpoint still a name and the accelerator
# possibly None (filled from the catalog once the endpoint is known).
EventRow = tuple


UNPAIRED_SURROGATE = "must be valid Unicode (no unpaired surrogate escapes)"


def is_utf8_encodable(value: str) -> bool:
    """False for text with a lone surrogate: Python's json reads "\\ud800", UTF-8 cannot hold it."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _text(value: object, field: str, errors: list, *, required: bool) -> str | None:
    if value is None:
        if required:
            errors.append((field, "is required"))
        return None
    if not isinstance(value, str):
        errors.append((field, "must be a string"))
        return None
    value = value.strip()
    if required and not value:
        errors.append((field, "must not be empty"))
        return None
    if len(value) > TEXT_LIMITS[field]:
        errors.append((field, f"must be at most {TEXT_LIMITS[field]} characters"))
        return None
    if "\x00" in value:
        errors.append((field, "must not contain NUL characters"))
        return None
    if not is_utf8_encodable(value):
        errors.append((field, UNPAIRED_SURROGATE))
        return None
    return value


def _count(value: object, field: str, errors: list, *, maximum: int) -> int | None:
    """A non-negative integer (JSON integers only; 12.0 is accepted as 12)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append((field, "must be an integer"))
        return None
    if isinstance(value, float):
        if not value.is_integer():
            errors.append((field, "must be an integer"))
            return None
        value = int(value)
    if value < 0 or value > maximum:
        errors.append((field, f"must be between 0 and {maximum}"))
        return None
    return value


def _duration(value: object, field: str, errors: list) -> int | None:
    """Milliseconds as a non-negative number, stored rounded to a whole millisecond."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append((field, "must be a number of milliseconds"))
        return None
    if not (0 <= value <= MAX_DURATION_MS):
        errors.append((field, f"must be between 0 and {MAX_DURATION_MS}"))
        return None
    return int(value) if isinstance(value, int) else round(value)


def _timestamp(value: object, errors: list, window: Window) -> datetime | None:
    if not isinstance(value, str):
        errors.append(("ts", "must be an ISO-8601 string with a UTC offset"))
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        errors.append(("ts", "must be an ISO-8601 string with a UTC offset"))
        return None
    if parsed.tzinfo is None:
        errors.append(("ts", "must carry a UTC offset (e.g. 'Z' or '+00:00')"))
        return None
    # Compared before converting: an instant outside datetime's range in UTC (year 1 at
    # +01:00) cannot be converted, but compares fine.
    if parsed < window.oldest:
        errors.append(("ts", f"is older than the retention window (before {window.oldest:%F})"))
        return None
    if parsed >= window.newest:
        errors.append(("ts", "is too far in the future"))
        return None
    return parsed.astimezone(UTC)


def event_validate(event: object, window: Window) -> tuple[EventRow | None, list[tuple]]:
    """Check one decoded event. Returns (row, []) or (None, [(field, error), …])."""
    if not isinstance(event, dict):
        return None, [("", "must be a JSON object")]
    errors: list[tuple[str, str]] = []
    unknown = event.keys() - ALL_FIELDS
    for name in sorted(unknown):
        errors.append((name, "is not a known field"))
    get = event.get
    ts = _timestamp(get("ts"), errors, window) if "ts" in event else None
    if "ts" not in event:
        errors.append(("ts", "is required"))
    request_id = _text(get("request_id"), "request_id", errors, required=True)
    endpoint = _text(get("endpoint"), "endpoint", errors, required=True)
    model = _text(get("model"), "model", errors, required=True)
    model_version = _text(get("model_version"), "model_version", errors, required=False) or ""
    input_tokens = output_tokens = latency_ms = None
    for field in ("input_tokens", "output_tokens", "latency_ms"):
        if get(field) is None:
            errors.append((field, "is required"))
    if get("input_tokens") is not None:
        input_tokens = _count(get("input_tokens"), "input_tokens", errors, maximum=MAX_TOKENS)
    if get("output_tokens") is not None:
        output_tokens = _count(get("output_tokens"), "output_tokens", errors, maximum=MAX_TOKENS)
    if get("latency_ms") is not None:
        latency_ms = _duration(get("latency_ms"), "latency_ms", errors)
    cached = get("cached_input_tokens")
    cached_input_tokens = (
        0 if cached is None else _count(cached, "cached_input_tokens", errors, maximum=MAX_TOKENS)
    )
    if (
        cached_input_tokens is not None
        and input_tokens is not None
        and cached_input_tokens > input_tokens
    ):
        errors.append(("cached_input_tokens", "must not exceed input_tokens"))
    ttft_ms = None if get("ttft_ms") is None else _duration(get("ttft_ms"), "ttft_ms", errors)
    queue_ms = None if get("queue_ms") is None else _duration(get("queue_ms"), "queue_ms", errors)
    accelerator = _text(get("accelerator"), "accelerator", errors, required=False) or None
    resource_id = _text(get("resource_id"), "resource_id", errors, required=False) or ""
    customer = _text(get("customer"), "customer", errors, required=False) or ""
    lane = get("lane")
    if lane is None:
        lane = "interactive"
    elif not isinstance(lane, str) or lane not in LANES:
        errors.append(("lane", "must be one of batch, interactive, nearline"))
    status = get("status")
    if status is None:
        status = "ok"
    elif not isinstance(status, str) or status not in STATUSES:
        errors.append(("status", "must be one of error, ok, timeout"))
    cache_hit = get("cache_hit")
    if cache_hit is None:
        cache_hit = False
    elif not isinstance(cache_hit, bool):
        errors.append(("cache_hit", "must be true or false"))
    prompt_hash = _text(get("prompt_hash"), "prompt_hash", errors, required=False) or None
    batch_size = get("batch_size")
    if batch_size is None:
        batch_size = 1
    else:
        batch_size = _count(batch_size, "batch_size", errors, maximum=MAX_BATCH_SIZE)
        if batch_size == 0:
            errors.append(("batch_size", f"must be between 1 and {MAX_BATCH_SIZE}"))
    attributes = get("attributes")
    attributes_json = "{}"
    if attributes is not None:
        if not isinstance(attributes, dict):
            errors.append(("attributes", "must be a JSON object"))
        else:
            try:
                attributes_json = json.dumps(
                    attributes, separators=(",", ":"), ensure_ascii=False, allow_nan=False
                )
            except ValueError:
                # NaN and Infinity are not JSON: PostgreSQL's jsonb would refuse the batch.
                errors.append(("attributes", "must not contain NaN or Infinity"))
            else:
                if len(attributes_json) > MAX_ATTRIBUTES_BYTES or "\\u0000" in attributes_json:
                    errors.append(
                        ("attributes", f"must encode to at most {MAX_ATTRIBUTES_BYTES} characters")
                    )
                elif not is_utf8_encodable(attributes_json):
                    errors.append(("attributes", UNPAIRED_SURROGATE))
    if errors:
        return None, errors
    return (
        ts,
        endpoint,
        request_id,
        model,
        model_version,
        input_tokens,
        output_tokens,
        cached_input_tokens,
        latency_ms,
        ttft_ms,
        queue_ms,
        accelerator,
        resource_id,
        lane,
        customer,
        status,
        cache_hit,
        prompt_hash,
        batch_size,
        attributes_json,
    ), []


# Positions inside an EventRow, used by the ingest service.
ROW_ENDPOINT = 1
ROW_REQUEST_ID = 2
ROW_LATENCY = 8
ROW_ACCELERATOR = 11
ROW_BATCH_SIZE = 18
ROW_ATTRIBUTES = 19
