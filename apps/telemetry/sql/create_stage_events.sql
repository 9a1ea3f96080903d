-- Session-local staging table for one ingest batch (COPY target).
-- Parameters: none. Rows vanish at commit; the caller also empties it first, because tests
-- run several ingests inside one transaction.
CREATE TEMP TABLE IF NOT EXISTS stage_telemetry_event (
    seq integer NOT NULL,
    ts timestamptz NOT NULL,
    endpoint_id bigint NOT NULL,
    request_id text NOT NULL,
    model text NOT NULL,
    model_version text NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cached_input_tokens bigint NOT NULL,
    latency_ms bigint NOT NULL,
    ttft_ms bigint,
    queue_ms bigint,
    accelerator text NOT NULL,
    resource_id text NOT NULL,
    lane text NOT NULL,
    customer text NOT NULL,
    status text NOT NULL,
    is_cache_hit boolean NOT NULL,
    prompt_hash text,
    batch_size integer NOT NULL,
    accelerator_count integer NOT NULL,
    attributes jsonb NOT NULL
) ON COMMIT DELETE ROWS
