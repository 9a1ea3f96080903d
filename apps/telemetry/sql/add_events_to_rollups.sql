-- Add raw events to the hourly rollups: the events of the given ingest batches or, for a
-- rebuild, every event in [start, end).
-- Parameters: %(start)s, %(end)s: timestamptz bounds of the events read (partition pruning);
-- %(batches)s: bigint[] of telemetry_telemetrypendingbatch ids, or NULL for every event in
-- the range. Django binds on the client, so the planner sees the values and drops the
-- branch of the batch test that does not apply (index scan on ingest_batch, or none).
-- Returns one row: the number of rollup rows inserted or updated.
-- Locks: every endpoint row, FOR KEY SHARE, until commit. The rollups have no foreign key
-- (a check per written row was about a sixth of an apply); instead a rollup is written only
-- for an endpoint this statement has locked, and deleting an endpoint locks its row FOR
-- UPDATE first, so the delete waits for this transaction and then removes the rows it wrote.
-- Idempotency: none by itself. Callers hold the rollup advisory lock and either delete the
-- batches' pending rows in the same transaction (rollup_apply) or delete the range's rollups
-- first (rollup_rebuild), so each raw row is counted once. That lock is held by every writer
-- of rollups, so the upsert needs no row order to avoid deadlocks (and sorts nothing), and
-- an hour that has no rollup row when this statement starts gets none from anyone else
-- before it commits: its groups are inserted plainly (no ON CONFLICT, whose speculative
-- insertion made a new row cost ~20 percent more; a backfill's hours are mostly new), and
-- only the groups of hours that already have rows go through the upsert.
-- Plan: run through rollup_apply.events_to_rollups_add, which has the events grouped by
-- hashing, not by sorting them on seven keys (see there).
WITH endpoint AS (
    SELECT id FROM catalog_modelendpoint FOR KEY SHARE
), delta AS MATERIALIZED (
    SELECT
        hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
        count(*),
        count(*) FILTER (WHERE status = 'error'),
        count(*) FILTER (WHERE status = 'timeout'),
        sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),
        sum(latency_ms), sum(gpu_ms),
        count(*) FILTER (WHERE is_cache_hit),
        count(*) FILTER (WHERE is_duplicate_prompt),
        -- Bucket b of apps.telemetry.histogram (0 below the first bound, 33 from the last up).
        ARRAY[
            count(*) FILTER (WHERE b = 0), count(*) FILTER (WHERE b = 1), count(*) FILTER (WHERE b = 2),
            count(*) FILTER (WHERE b = 3), count(*) FILTER (WHERE b = 4), count(*) FILTER (WHERE b = 5),
            count(*) FILTER (WHERE b = 6), count(*) FILTER (WHERE b = 7), count(*) FILTER (WHERE b = 8),
            count(*) FILTER (WHERE b = 9), count(*) FILTER (WHERE b = 10), count(*) FILTER (WHERE b = 11),
            count(*) FILTER (WHERE b = 12), count(*) FILTER (WHERE b = 13), count(*) FILTER (WHERE b = 14),
            count(*) FILTER (WHERE b = 15), count(*) FILTER (WHERE b = 16), count(*) FILTER (WHERE b = 17),
            count(*) FILTER (WHERE b = 18), count(*) FILTER (WHERE b = 19), count(*) FILTER (WHERE b = 20),
            count(*) FILTER (WHERE b = 21), count(*) FILTER (WHERE b = 22), count(*) FILTER (WHERE b = 23),
            count(*) FILTER (WHERE b = 24), count(*) FILTER (WHERE b = 25), count(*) FILTER (WHERE b = 26),
            count(*) FILTER (WHERE b = 27), count(*) FILTER (WHERE b = 28), count(*) FILTER (WHERE b = 29),
            count(*) FILTER (WHERE b = 30), count(*) FILTER (WHERE b = 31), count(*) FILTER (WHERE b = 32),
            count(*) FILTER (WHERE b = 33)
        ],
        now()
    FROM (
        SELECT
            -- The UTC hour: date_bin is arithmetic; date_trunc(..., 'UTC') looks the zone up per row.
            date_bin('1 hour', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, endpoint_id,
            model_version, lane, accelerator, resource_id, customer, status, input_tokens,
            output_tokens, cached_input_tokens, latency_ms, gpu_ms, is_cache_hit, is_duplicate_prompt,
            -- float8 bounds: width_bucket compares those directly, other types through a function
            -- call per step. Exact for every latency (integers far below 2^53).
            width_bucket(latency_ms::float8, '{1,2,3,5,7,10,15,20,30,50,70,100,150,200,300,500,700,1000,1500,2000,3000,5000,7000,10000,15000,20000,30000,50000,70000,100000,150000,200000,300000}'::float8[]) AS b
        FROM telemetry_event
        WHERE ts >= %(start)s AND ts < %(end)s
          AND (%(batches)s::bigint[] IS NULL OR ingest_batch = ANY (%(batches)s::bigint[]))
          -- A deleted endpoint took its rollups with it; its raw rows stay until retention,
          -- outside the rollups.
          AND endpoint_id IN (SELECT id FROM endpoint)
        -- Keeps this subquery from being merged into the outer one, which would compute the
        -- bucket b again in each of the 34 FILTER clauses that read it (about 7 percent of an apply).
        OFFSET 0
    ) AS e
    GROUP BY hour, endpoint_id, model_version, lane, accelerator, resource_id, customer
), stored_hour AS (
    SELECT d.hour
    FROM (SELECT DISTINCT hour FROM delta) AS d
    WHERE EXISTS (SELECT 1 FROM telemetry_telemetryrolluphourly x WHERE x.hour = d.hour)
), inserted AS (
    INSERT INTO telemetry_telemetryrolluphourly (
        hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
        requests, errors, timeouts, input_tokens, output_tokens, cached_input_tokens,
        latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts, latency_histogram, updated_at
    )
    SELECT * FROM delta WHERE hour NOT IN (SELECT hour FROM stored_hour)
    RETURNING 1
), upserted AS (
    INSERT INTO telemetry_telemetryrolluphourly AS r (
        hour, endpoint_id, model_version, lane, accelerator, resource_id, customer,
        requests, errors, timeouts, input_tokens, output_tokens, cached_input_tokens,
        latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts, latency_histogram, updated_at
    )
    SELECT * FROM delta WHERE hour IN (SELECT hour FROM stored_hour)
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
SELECT (SELECT count(*) FROM inserted) + (SELECT count(*) FROM upserted)
