-- Merge the staged batch: claim idempotency keys, flag duplicate prompts, append raw events
-- and add the new events (only those) to the hourly rollups, in one statement.
-- Parameters: none (reads the session's stage_telemetry_event, whose keys are unique).
-- Idempotency key: telemetry_telemetryeventkey (endpoint_id, request_id). A key that already
-- exists (earlier batch, or a concurrent one that committed first) inserts nothing anywhere.
-- Keys, prompt sightings and rollup rows are locked in sorted order, so concurrent batches
-- wait for each other instead of deadlocking.
-- Returns one row: the number of events inserted.
WITH new_key AS (
    INSERT INTO telemetry_telemetryeventkey (endpoint_id, request_id, ts)
    SELECT endpoint_id, request_id, ts
    FROM stage_telemetry_event
    ORDER BY endpoint_id, request_id
    ON CONFLICT DO NOTHING
    RETURNING endpoint_id, request_id
),
fresh AS (
    SELECT
        s.*,
        (s.ts AT TIME ZONE 'UTC')::date AS day,
        row_number() OVER (
            PARTITION BY s.endpoint_id, (s.ts AT TIME ZONE 'UTC')::date, s.prompt_hash
            ORDER BY s.seq
        ) AS prompt_rank
    FROM stage_telemetry_event AS s
    JOIN new_key AS k USING (endpoint_id, request_id)
),
new_prompt AS (
    INSERT INTO telemetry_telemetrypromptseen (endpoint_id, day, prompt_hash)
    SELECT endpoint_id, day, prompt_hash
    FROM fresh
    WHERE prompt_hash IS NOT NULL AND prompt_rank = 1
    ORDER BY endpoint_id, day, prompt_hash
    ON CONFLICT DO NOTHING
    RETURNING endpoint_id, day, prompt_hash
),
inserted AS (
    INSERT INTO telemetry_event (
        ts, endpoint_id, request_id, model, model_version, input_tokens, output_tokens,
        cached_input_tokens, latency_ms, ttft_ms, queue_ms, accelerator, resource_id, lane,
        customer, status, is_cache_hit, prompt_hash, is_duplicate_prompt, batch_size, gpu_ms,
        attributes
    )
    SELECT
        f.ts, f.endpoint_id, f.request_id, f.model, f.model_version, f.input_tokens,
        f.output_tokens, f.cached_input_tokens, f.latency_ms, f.ttft_ms, f.queue_ms,
        f.accelerator, f.resource_id, f.lane, f.customer, f.status, f.is_cache_hit,
        f.prompt_hash,
        -- A prompt is a duplicate unless it is the first sighting of its hash that day.
        f.prompt_hash IS NOT NULL AND NOT (f.prompt_rank = 1 AND p.prompt_hash IS NOT NULL),
        f.batch_size,
        -- GPU-time estimate: the request held accelerator_count GPUs for latency_ms, shared
        -- with batch_size - 1 other requests.
        CASE WHEN jsonb_typeof(f.attributes -> 'gpu_ms') = 'number'
                  AND (f.attributes ->> 'gpu_ms')::numeric >= 0
             THEN round((f.attributes ->> 'gpu_ms')::numeric, 3)
             ELSE round(f.latency_ms::numeric * f.accelerator_count / f.batch_size, 3) END,
        f.attributes
    FROM fresh AS f
    LEFT JOIN new_prompt AS p
        ON p.endpoint_id = f.endpoint_id AND p.day = f.day AND p.prompt_hash = f.prompt_hash
    RETURNING
        ts, endpoint_id, model_version, lane, accelerator, resource_id, customer, status,
        input_tokens, output_tokens, cached_input_tokens, latency_ms, gpu_ms, is_cache_hit,
        is_duplicate_prompt
),
rolled AS (
    INSERT INTO telemetry_telemetryrolluphourly AS r (
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
    FROM inserted
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7
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
    RETURNING 1
)
SELECT (SELECT count(*) FROM inserted) AS inserted, (SELECT count(*) FROM rolled) AS rollups
