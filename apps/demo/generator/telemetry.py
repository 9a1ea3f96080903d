"""Telemetry lines: one JSON object per request (pure code, no ORM).

Lines are formatted from a fixed template rather than ``json.dumps`` for speed; every string
placed in them is an identifier the generator made (no quotes or backslashes), so the output is
valid JSON (the tests parse every line). ``attributes.gpu_ms`` is the accelerator time the request
held, in milliseconds; the truth file splits shared nodes by it.
"""

from collections.abc import Iterator
from datetime import datetime

from apps.demo.generator.traffic import LANES, Batch, prompt_hash

FIELDS = (
    "ts", "request_id", "endpoint", "model", "model_version", "input_tokens", "output_tokens",
    "cached_input_tokens", "latency_ms", "ttft_ms", "queue_ms", "accelerator", "resource_id",
    "lane", "customer", "status", "cache_hit", "prompt_hash", "batch_size", "attributes",
)  # fmt: skip
STATUSES = ("ok", "error", "timeout")


def batch_lines(
    batch: Batch,
    *,
    hour_start: datetime,
    region: str,
    instance_types: dict[str, str],
) -> Iterator[tuple[int, int, str]]:
    """``(microsecond of the hour, endpoint index, line)`` for each request, in time order."""
    e = batch.endpoint
    prefix = hour_start.strftime("%Y-%m-%dT%H:")
    day = hour_start.strftime("%Y%m%d")
    routes = batch.routes
    us_list = batch.us.tolist()
    rows = zip(
        us_list, batch.input_tokens.tolist(), batch.output_tokens.tolist(), batch.cached.tolist(),
        batch.latency.tolist(), batch.ttft.tolist(), batch.queue.tolist(), batch.route.tolist(),
        batch.lane.tolist(), batch.customer, batch.status.tolist(), batch.prompt.tolist(),
        batch.batch_size.tolist(), batch.gpu_ms.tolist(), strict=True,
    )  # fmt: skip
    for k, (us, tin, tout, cached, lat, ttft, q, r, lane, cust, st, pr, bs, gpu) in enumerate(rows):
        minute, rest = divmod(us, 60_000_000)
        sec, micro = divmod(rest, 1_000_000)
        res = routes[r]
        line = (
            f'{{"ts":"{prefix}{minute:02d}:{sec:02d}.{micro:06d}Z",'
            f'"request_id":"req-{day}-{e.index:04d}-{batch.seq0 + k:08d}",'
            f'"endpoint":"{e.name}","model":"{e.family.model}","model_version":"{batch.version}",'
            f'"input_tokens":{tin},"output_tokens":{tout},"cached_input_tokens":{cached},'
            f'"latency_ms":{lat},"ttft_ms":{ttft},"queue_ms":{q},'
            f'"accelerator":"{e.accelerator_type}","resource_id":"{res}",'
            f'"lane":"{LANES[lane]}","customer":"{cust}","status":"{STATUSES[st]}",'
            f'"cache_hit":{"true" if cached else "false"},'
            f'"prompt_hash":"{prompt_hash(e.name, pr)}",'
            f'"batch_size":{bs},"attributes":{{"gpu_ms":{gpu},"team":"{e.team}",'
            f'"region":"{region}","instance_type":"{instance_types[res]}"}}}}\n'
        )
        yield us, e.index, line


def usage_add(usage: dict[tuple[str, str], int], batch: Batch) -> None:
    """Add the batch's GPU milliseconds to ``usage[(resource_id, endpoint)]``."""
    for r, resource in enumerate(batch.routes):
        total = int(batch.gpu_ms[batch.route == r].sum())
        if total:
            key = (resource, batch.endpoint.name)
            usage[key] = usage.get(key, 0) + total
