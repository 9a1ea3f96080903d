"""The ingest fast path for well-formed events (pure code, no ORM).

``event_row_fast`` accepts an event only when every field has its plain, expected type and
value, and then returns exactly the row ``events.event_validate`` would. For anything else it
returns None, and the caller runs ``event_validate``, which alone words the rejections. So
the rules and their error messages live in one place (``events.py``); this module only
decides, with plain ``type(...) is`` checks and no exceptions, that a common event needs no
explanation. The property test ``test_event_fast`` holds the two to the same answers.
"""

import json
from datetime import UTC, datetime

from apps.telemetry.parsers.events import (
    ALL_FIELDS,
    LANES,
    MAX_ATTRIBUTES_BYTES,
    MAX_BATCH_SIZE,
    MAX_DURATION_MS,
    MAX_TOKENS,
    STATUSES,
    TEXT_LIMITS,
    EventRow,
    Window,
)

# One encoder, built once: json.dumps with non-default options builds a new one per call.
_ATTRIBUTES_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_fromisoformat = datetime.fromisoformat
_REQUIRED_TEXT = (
    ("request_id", TEXT_LIMITS["request_id"]),
    ("endpoint", TEXT_LIMITS["endpoint"]),
    ("model", TEXT_LIMITS["model"]),
)
_OPTIONAL_TEXT = (
    ("model_version", TEXT_LIMITS["model_version"]),
    ("accelerator", TEXT_LIMITS["accelerator"]),
    ("resource_id", TEXT_LIMITS["resource_id"]),
    ("customer", TEXT_LIMITS["customer"]),
    ("prompt_hash", TEXT_LIMITS["prompt_hash"]),
)


def _duration(value: object) -> int | None:
    """Whole milliseconds of an in-range int or float, else None (NaN fails both bounds)."""
    kind = type(value)
    if kind is int:
        return value if 0 <= value <= MAX_DURATION_MS else None
    if kind is float and 0 <= value <= MAX_DURATION_MS:
        return round(value)
    return None


def event_row_fast(event: object, window: Window) -> EventRow | None:
    """The validated row of a plainly well-formed event, or None (then ask event_validate)."""
    if type(event) is not dict or not event.keys() <= ALL_FIELDS:
        return None
    get = event.get
    ts = get("ts")
    if type(ts) is not str:
        return None
    try:
        parsed = _fromisoformat(ts)
    except ValueError:
        return None
    if parsed.tzinfo is not UTC:
        if parsed.tzinfo is None:
            return None
        parsed = parsed.astimezone(UTC)
    if not window.oldest <= parsed < window.newest:
        return None

    texts = []
    for name, limit in _REQUIRED_TEXT:
        value = get(name)
        if type(value) is not str:
            return None
        value = value.strip()
        if not value or len(value) > limit or "\x00" in value:
            return None
        texts.append(value)
    optional = []
    for name, limit in _OPTIONAL_TEXT:
        value = get(name)
        if value is not None:
            if type(value) is not str:
                return None
            value = value.strip()
            if len(value) > limit or "\x00" in value:
                return None
        optional.append(value)
    request_id, endpoint, model = texts
    model_version, accelerator, resource_id, customer, prompt_hash = optional

    input_tokens = get("input_tokens")
    output_tokens = get("output_tokens")
    cached_input_tokens = get("cached_input_tokens", 0)
    if cached_input_tokens is None:
        cached_input_tokens = 0
    if (
        type(input_tokens) is not int
        or type(output_tokens) is not int
        or type(cached_input_tokens) is not int
        or not 0 <= input_tokens <= MAX_TOKENS
        or not 0 <= output_tokens <= MAX_TOKENS
        or not 0 <= cached_input_tokens <= input_tokens
    ):
        return None
    latency_ms = _duration(get("latency_ms"))
    if latency_ms is None:
        return None
    ttft_ms = get("ttft_ms")
    if ttft_ms is not None and (ttft_ms := _duration(ttft_ms)) is None:
        return None
    queue_ms = get("queue_ms")
    if queue_ms is not None and (queue_ms := _duration(queue_ms)) is None:
        return None

    lane = get("lane")
    if lane is None:
        lane = "interactive"
    elif type(lane) is not str or lane not in LANES:
        return None
    status = get("status")
    if status is None:
        status = "ok"
    elif type(status) is not str or status not in STATUSES:
        return None
    cache_hit = get("cache_hit")
    if cache_hit is None:
        cache_hit = False
    elif type(cache_hit) is not bool:
        return None
    batch_size = get("batch_size")
    if batch_size is None:
        batch_size = 1
    elif type(batch_size) is not int or not 1 <= batch_size <= MAX_BATCH_SIZE:
        return None
    attributes = get("attributes")
    if attributes is None:
        attributes_json = "{}"
    elif type(attributes) is dict:
        attributes_json = _ATTRIBUTES_ENCODER.encode(attributes)
        if len(attributes_json) > MAX_ATTRIBUTES_BYTES or "\\u0000" in attributes_json:
            return None
    else:
        return None
    return (
        parsed,
        endpoint,
        request_id,
        model,
        model_version or "",
        input_tokens,
        output_tokens,
        cached_input_tokens,
        latency_ms,
        ttft_ms,
        queue_ms,
        accelerator or None,
        resource_id or "",
        lane,
        customer or "",
        status,
        cache_hit,
        prompt_hash or None,
        batch_size,
        attributes_json,
    )
