"""The ingest fast path for well-formed events (pure code, no ORM).

``event_row_fast`` (a decoded dict) and ``struct_row_fast`` (an ``EventStruct`` from
``decode_events_typed``) accept an event only when every field has its plain, expected type
and value, and then return exactly the row ``events.event_validate`` would. For anything
else they return None, and the caller runs ``event_validate``, which alone words the
rejections. So the rules and their error messages live in one place (``events.py``); this
module only decides, with plain checks and no exceptions, that a common event needs no
explanation. The tests in ``test_event_fast`` hold both to the validator's answers.
"""

import json
import re
from datetime import UTC, datetime

import msgspec

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
    is_utf8_encodable,
)

# One encoder, built once: json.dumps with non-default options builds a new one per call.
_ATTRIBUTES_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_msgspec_encode = msgspec.json.Encoder().encode
# An exponent as msgspec writes one (1e16, 1e-7); in a string it only costs the slower encoder.
_exponent = re.compile(r"e[-0-9]").search
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


def attributes_text(attributes: dict) -> str | None:
    """``attributes`` as the JSON text ``event_validate`` stores (``json.dumps`` with compact
    separators, ``ensure_ascii=False``), or None where that refuses it (NaN or Infinity).

    msgspec encodes several times faster and gives the same text for strings, integers,
    booleans, null and most floats; it differs for floats that Python's repr writes with an
    exponent (1e+16, 1e-05: msgspec writes 1e16, 0.00001) and for NaN and Infinity (msgspec
    writes null). Text that may hold one of those, or that msgspec cannot encode (an unpaired
    surrogate), comes from the stdlib encoder, as before.
    """
    try:
        text = _msgspec_encode(attributes).decode()
    except (TypeError, ValueError, OverflowError):
        text = None
    if text is None or "null" in text or "0.0000" in text or _exponent(text):
        try:
            return _ATTRIBUTES_ENCODER.encode(attributes)
        except ValueError:  # NaN or Infinity inside
            return None
    return text


def _utc_in_window(ts: str, window: Window) -> datetime | None:
    """``ts`` as a UTC datetime if it has an offset and lies in ``window``, else None."""
    try:
        parsed = _fromisoformat(ts)
    except ValueError:
        return None
    if parsed.tzinfo is None or not window.oldest <= parsed < window.newest:
        return None
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def event_row_fast(event: object, window: Window) -> EventRow | None:
    """The validated row of a plainly well-formed event, or None (then ask event_validate)."""
    if type(event) is not dict or not event.keys() <= ALL_FIELDS:
        return None
    get = event.get
    ts = get("ts")
    if type(ts) is not str:
        return None
    parsed = _utc_in_window(ts, window)
    if parsed is None:
        return None

    texts = []
    for name, limit in _REQUIRED_TEXT:
        value = get(name)
        if type(value) is not str:
            return None
        value = value.strip()
        if not value or len(value) > limit or "\x00" in value or not is_utf8_encodable(value):
            return None
        texts.append(value)
    optional = []
    for name, limit in _OPTIONAL_TEXT:
        value = get(name)
        if value is not None:
            if type(value) is not str:
                return None
            value = value.strip()
            if len(value) > limit or "\x00" in value or not is_utf8_encodable(value):
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
        attributes_json = attributes_text(attributes)
        if (
            attributes_json is None
            or len(attributes_json) > MAX_ATTRIBUTES_BYTES
            or "\\u0000" in attributes_json
            or not is_utf8_encodable(attributes_json)
        ):
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


class EventStruct(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """The JSON types of an event, checked while decoding (values are checked after).

    msgspec refuses unpaired surrogate escapes, so its strings always encode to UTF-8.

    ``gc=False``: a batch decodes into a thousand of these, and the cycle collector need not
    track them, since none can be part of a cycle (the fields hold JSON values only, and
    nothing assigns to them after decoding)."""

    ts: str
    request_id: str
    endpoint: str
    model: str
    input_tokens: int
    output_tokens: int
    latency_ms: int | float
    model_version: str | None = None
    cached_input_tokens: int | None = None
    ttft_ms: int | float | None = None
    queue_ms: int | float | None = None
    accelerator: str | None = None
    resource_id: str | None = None
    lane: str | None = None
    customer: str | None = None
    status: str | None = None
    cache_hit: bool | None = None
    prompt_hash: str | None = None
    batch_size: int | None = None
    attributes: dict | None = None


_ARRAY_DECODER = msgspec.json.Decoder(list[EventStruct])
_EVENT_DECODER = msgspec.json.Decoder(EventStruct)


def decode_events_typed(data: bytes, *, ndjson: bool) -> list[EventStruct] | None:
    """Decode a JSON array (or NDJSON) body of events whose fields all have their JSON types,
    or return None (anything else: the caller decodes the body as plain JSON instead)."""
    try:
        if not ndjson:
            return _ARRAY_DECODER.decode(data)
        return [_EVENT_DECODER.decode(line) for line in data.splitlines() if line.strip()]
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def struct_as_dict(event: EventStruct) -> dict:
    """The event as the plain JSON decoder gives it (absent optional fields as null, which
    the validator treats alike), for ``event_validate``."""
    return msgspec.structs.asdict(event)


_LIMIT_REQUEST_ID = TEXT_LIMITS["request_id"]
_LIMIT_ENDPOINT = TEXT_LIMITS["endpoint"]
_LIMIT_MODEL = TEXT_LIMITS["model"]


def struct_row_fast(event: EventStruct, window: Window) -> EventRow | None:
    """The validated row of a typed event whose values are all in range, or None."""
    parsed = _utc_in_window(event.ts, window)
    if parsed is None:
        return None
    # Written out rather than looped or called per field: this runs for every event.
    request_id = event.request_id.strip()
    endpoint = event.endpoint.strip()
    model = event.model.strip()
    if not (
        request_id
        and endpoint
        and model
        and len(request_id) <= _LIMIT_REQUEST_ID
        and len(endpoint) <= _LIMIT_ENDPOINT
        and len(model) <= _LIMIT_MODEL
        and "\x00" not in request_id
        and "\x00" not in endpoint
        and "\x00" not in model
    ):
        return None
    model_version = event.model_version
    accelerator = event.accelerator
    resource_id = event.resource_id
    customer = event.customer
    prompt_hash = event.prompt_hash
    if model_version is not None:
        model_version = model_version.strip()
        if len(model_version) > TEXT_LIMITS["model_version"] or "\x00" in model_version:
            return None
    if accelerator is not None:
        accelerator = accelerator.strip()
        if len(accelerator) > TEXT_LIMITS["accelerator"] or "\x00" in accelerator:
            return None
    if resource_id is not None:
        resource_id = resource_id.strip()
        if len(resource_id) > TEXT_LIMITS["resource_id"] or "\x00" in resource_id:
            return None
    if customer is not None:
        customer = customer.strip()
        if len(customer) > TEXT_LIMITS["customer"] or "\x00" in customer:
            return None
    if prompt_hash is not None:
        prompt_hash = prompt_hash.strip()
        if len(prompt_hash) > TEXT_LIMITS["prompt_hash"] or "\x00" in prompt_hash:
            return None
    input_tokens = event.input_tokens
    output_tokens = event.output_tokens
    cached_input_tokens = event.cached_input_tokens or 0
    if not (
        0 <= input_tokens <= MAX_TOKENS
        and 0 <= output_tokens <= MAX_TOKENS
        and 0 <= cached_input_tokens <= input_tokens
    ):
        return None
    latency_ms = event.latency_ms
    if not 0 <= latency_ms <= MAX_DURATION_MS:
        return None
    if type(latency_ms) is float:
        latency_ms = round(latency_ms)
    ttft_ms = event.ttft_ms
    if ttft_ms is not None and (ttft_ms := _duration(ttft_ms)) is None:
        return None
    queue_ms = event.queue_ms
    if queue_ms is not None and (queue_ms := _duration(queue_ms)) is None:
        return None
    lane = event.lane
    if lane is None:
        lane = "interactive"
    elif lane not in LANES:
        return None
    status = event.status
    if status is None:
        status = "ok"
    elif status not in STATUSES:
        return None
    batch_size = event.batch_size
    if batch_size is None:
        batch_size = 1
    elif not 1 <= batch_size <= MAX_BATCH_SIZE:
        return None
    attributes = event.attributes
    if attributes is None:
        attributes_json = "{}"
    else:
        attributes_json = attributes_text(attributes)
        if (
            attributes_json is None
            or len(attributes_json) > MAX_ATTRIBUTES_BYTES
            or "\\u0000" in attributes_json
        ):
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
        bool(event.cache_hit),
        prompt_hash or None,
        batch_size,
        attributes_json,
    )
