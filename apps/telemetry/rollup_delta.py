"""Derived columns of stored events and the raw row layout the ingest COPYs (pure code).

GPU time is computed here, per event, with the same rounding PostgreSQL applies to the stored
numeric column (tests compare the two).
"""

from decimal import ROUND_HALF_UP, Decimal

_MILLI = Decimal("0.001")


def gpu_milli_ms(
    *, latency_ms: int, accelerator_count: int, batch_size: int, attributes: object
) -> int:
    """GPU time of one event in thousandths of a millisecond.

    A measured ``attributes.gpu_ms`` (a JSON number >= 0) wins; otherwise the estimate: the
    request held ``accelerator_count`` GPUs for ``latency_ms``, shared with ``batch_size - 1``
    other requests. Both are rounded half up to 0.001 ms, as the stored numeric(20, 3) column
    was always rounded. A float is taken at its shortest repr, which is the text stored in
    the raw row's ``attributes``.
    """
    if type(attributes) is dict:
        measured = attributes.get("gpu_ms")
        kind = type(measured)
        if kind is int and measured >= 0:
            return measured * 1000
        if kind is float and measured >= 0:
            if measured >= 1e17:
                # Beyond the column (the caller refuses it), and beyond exact Decimal rounding.
                return int(measured) * 1000
            return int(Decimal(repr(measured)).quantize(_MILLI, ROUND_HALF_UP).scaleb(3))
    numerator = latency_ms * accelerator_count * 1000
    # Half up, in integers: floor(n / b + 1/2).
    return (2 * numerator + batch_size) // (2 * batch_size)


def milli_to_decimal(milli: int) -> Decimal:
    return Decimal(milli).scaleb(-3)


# A stored event as the ingest COPYs it: these columns of telemetry_event, in this order
# (is_duplicate_prompt last: it is appended once the batch's prompt sightings are known).
RAW_COLUMNS = (
    "ts", "endpoint_id", "request_id", "model", "model_version", "input_tokens",
    "output_tokens", "cached_input_tokens", "latency_ms", "ttft_ms", "queue_ms", "accelerator",
    "resource_id", "lane", "customer", "status", "is_cache_hit", "prompt_hash", "batch_size",
    "gpu_ms", "attributes", "is_duplicate_prompt",
)  # fmt: skip
RAW_TYPES = (
    "timestamptz", "int8", "text", "text", "text", "int8", "int8", "int8", "int8", "int8",
    "int8", "text", "text", "text", "text", "text", "bool", "text", "int4", "numeric", "jsonb",
    "bool",
)  # fmt: skip
