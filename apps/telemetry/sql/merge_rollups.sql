-- Add the staged batch increments to the hourly rollups.
-- Parameters: none (reads stage_telemetry_rollup: one row per rollup key, computed from the
-- events this transaction stored, and only those).
-- Idempotency key: the rollup key (hour, endpoint, model_version, lane, accelerator,
-- resource, customer). Not idempotent by itself: it runs in the transaction that claims the
-- events' idempotency keys, so a re-sent event never reaches it. Rows are locked in key
-- order, so concurrent batches wait for each other instead of deadlocking.
INSERT INTO telemetry_telemetryrolluphourly AS r (
    hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
    requests, errors, timeouts, input_tokens, output_tokens, cached_input_tokens,
    latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts, latency_histogram, updated_at
)
SELECT
    hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
    requests, errors, timeouts, input_tokens, output_tokens, cached_input_tokens,
    latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts, latency_histogram, now()
FROM stage_telemetry_rollup
-- Byte order ("C"): any one order avoids deadlocks, and this one sorts fastest.
ORDER BY hour, endpoint_id, model_version COLLATE "C", lane COLLATE "C",
    accelerator COLLATE "C", resource_id COLLATE "C", customer COLLATE "C"
    ON CONFLICT (hour, endpoint_id, model_version, lane, accelerator, resource_id, customer)
    DO UPDATE SET
        requests = r.requests + EXCLUDED.requests,
        errors = r.errors + EXCLUDED.errors,
        timeouts = r.timeouts + EXCLUDED.timeouts,
        input_tokens = r.input_tokens + EXCLUDED.input_tokens,
        output_tokens = r.output_tokens + EXCLUDED.output_tokens,
        cached_input_tokens = r.cached_input_tokens + EXCLUDED.cached_input_tokens,
        latency_ms_sum = r.latency_ms_sum + EXCLUDED.latency_ms_sum,
        gpu_ms_sum = r.gpu_ms_sum + EXCLUDED.gpu_ms_sum,
        cache_hits = r.cache_hits + EXCLUDED.cache_hits,
        duplicate_prompts = r.duplicate_prompts + EXCLUDED.duplicate_prompts,
        -- Element-wise sum of the 34 buckets, spelled out: an inline ARRAY[] costs a
        -- fraction of a function call per updated row.
        latency_histogram = ARRAY[
            r.latency_histogram[1] + EXCLUDED.latency_histogram[1], r.latency_histogram[2] + EXCLUDED.latency_histogram[2],
            r.latency_histogram[3] + EXCLUDED.latency_histogram[3], r.latency_histogram[4] + EXCLUDED.latency_histogram[4],
            r.latency_histogram[5] + EXCLUDED.latency_histogram[5], r.latency_histogram[6] + EXCLUDED.latency_histogram[6],
            r.latency_histogram[7] + EXCLUDED.latency_histogram[7], r.latency_histogram[8] + EXCLUDED.latency_histogram[8],
            r.latency_histogram[9] + EXCLUDED.latency_histogram[9], r.latency_histogram[10] + EXCLUDED.latency_histogram[10],
            r.latency_histogram[11] + EXCLUDED.latency_histogram[11], r.latency_histogram[12] + EXCLUDED.latency_histogram[12],
            r.latency_histogram[13] + EXCLUDED.latency_histogram[13], r.latency_histogram[14] + EXCLUDED.latency_histogram[14],
            r.latency_histogram[15] + EXCLUDED.latency_histogram[15], r.latency_histogram[16] + EXCLUDED.latency_histogram[16],
            r.latency_histogram[17] + EXCLUDED.latency_histogram[17], r.latency_histogram[18] + EXCLUDED.latency_histogram[18],
            r.latency_histogram[19] + EXCLUDED.latency_histogram[19], r.latency_histogram[20] + EXCLUDED.latency_histogram[20],
            r.latency_histogram[21] + EXCLUDED.latency_histogram[21], r.latency_histogram[22] + EXCLUDED.latency_histogram[22],
            r.latency_histogram[23] + EXCLUDED.latency_histogram[23], r.latency_histogram[24] + EXCLUDED.latency_histogram[24],
            r.latency_histogram[25] + EXCLUDED.latency_histogram[25], r.latency_histogram[26] + EXCLUDED.latency_histogram[26],
            r.latency_histogram[27] + EXCLUDED.latency_histogram[27], r.latency_histogram[28] + EXCLUDED.latency_histogram[28],
            r.latency_histogram[29] + EXCLUDED.latency_histogram[29], r.latency_histogram[30] + EXCLUDED.latency_histogram[30],
            r.latency_histogram[31] + EXCLUDED.latency_histogram[31], r.latency_histogram[32] + EXCLUDED.latency_histogram[32],
            r.latency_histogram[33] + EXCLUDED.latency_histogram[33], r.latency_histogram[34] + EXCLUDED.latency_histogram[34]
        ],
        updated_at = EXCLUDED.updated_at
