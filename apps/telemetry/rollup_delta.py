"""Derived columns of stored events and the rollup increments of a batch (pure code).

The ingest computes these in Python, where they are a few additions per event, instead of in
the merge SQL; ``sql/rebuild_rollups.sql`` computes the same sums from the raw rows, and the
rollup tests compare the two.
"""

from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal

from apps.telemetry.histogram import BUCKET_COUNT, LATENCY_BUCKET_BOUNDS_MS

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


def rollup_deltas(rows: list[list]) -> list[tuple]:
    """The increments that ``rows`` (raw rows, stored once each) add to the hourly rollups.

    One tuple per rollup key, in no particular order: (hour, endpoint_id, model_version, lane,
    accelerator, resource_id, customer, requests, errors, timeouts, input_tokens,
    output_tokens, cached_input_tokens, latency_ms_sum, gpu_ms_sum, cache_hits,
    duplicate_prompts, latency_histogram).
    """
    deltas: dict[tuple, list] = {}
    get = deltas.get
    bounds = LATENCY_BUCKET_BOUNDS_MS
    # Positions are RAW_COLUMNS' (literal, as this loop runs once per stored event).
    for row in rows:
        key = (
            row[0].replace(minute=0, second=0, microsecond=0),
            row[1],  # endpoint_id
            row[4],  # model_version
            row[13],  # lane
            row[11],  # accelerator
            row[12],  # resource_id
            row[14],  # customer
        )
        delta = get(key)
        if delta is None:
            delta = deltas[key] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, [0] * BUCKET_COUNT]
        delta[0] += 1
        status = row[15]
        if status != "ok":
            delta[1 if status == "error" else 2] += 1
        delta[3] += row[5]  # input_tokens
        delta[4] += row[6]  # output_tokens
        delta[5] += row[7]  # cached_input_tokens
        latency_ms = row[8]
        delta[6] += latency_ms
        delta[7] += row[19]  # gpu_ms
        if row[16]:  # is_cache_hit
            delta[8] += 1
        if row[21]:  # is_duplicate_prompt
            delta[9] += 1
        delta[10][bisect_right(bounds, latency_ms)] += 1
    return [(*key, *delta) for key, delta in deltas.items()]
