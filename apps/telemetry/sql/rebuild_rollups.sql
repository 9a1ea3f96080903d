-- Recompute the hourly rollups of [start, end) from the raw events.
-- Parameters: %(start)s, %(end)s: hour-aligned timestamptz bounds.
-- Idempotency: runs right after delete_rollups.sql on the same range, in one transaction
-- holding a SHARE ROW EXCLUSIVE lock on the rollup table (no ingest commits in between).
INSERT INTO telemetry_telemetryrolluphourly (
    hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
    requests, errors, timeouts, input_tokens, output_tokens, cached_input_tokens,
    latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts, latency_histogram, updated_at
)
SELECT
    date_trunc('hour', ts, 'UTC'), endpoint_id, model_version, lane, accelerator,
    resource_id, customer,
    count(*),
    count(*) FILTER (WHERE status = 'error'),
    count(*) FILTER (WHERE status = 'timeout'),
    sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),
    sum(latency_ms), sum(gpu_ms),
    count(*) FILTER (WHERE is_cache_hit),
    count(*) FILTER (WHERE is_duplicate_prompt),
    telemetry_latency_histogram(latency_ms),
    now()
FROM telemetry_event
WHERE ts >= %(start)s AND ts < %(end)s
GROUP BY 1, 2, 3, 4, 5, 6, 7
