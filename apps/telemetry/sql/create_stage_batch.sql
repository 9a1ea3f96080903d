-- Session-local staging tables for one ingest batch (COPY targets), emptied.
-- Parameters: none. Rows vanish at commit; they are also emptied first, because tests run
-- several ingests inside one transaction.
-- stage_telemetry_key: the batch's idempotency keys, only when some may already be stored.
-- stage_telemetry_prompt: the first sighting in the batch of each (endpoint, day, prompt).
-- stage_telemetry_rollup: the batch's increment per rollup key (rollup_delta.rollup_deltas).
CREATE TEMP TABLE IF NOT EXISTS stage_telemetry_key (
    endpoint_id bigint NOT NULL,
    request_id text NOT NULL,
    ts timestamptz NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_telemetry_prompt (
    endpoint_id bigint NOT NULL,
    day date NOT NULL,
    prompt_hash text NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_telemetry_rollup (
    hour timestamptz NOT NULL,
    endpoint_id bigint NOT NULL,
    model_version text NOT NULL,
    lane text NOT NULL,
    accelerator text NOT NULL,
    resource_id text NOT NULL,
    customer text NOT NULL,
    requests bigint NOT NULL,
    errors bigint NOT NULL,
    timeouts bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cached_input_tokens bigint NOT NULL,
    latency_ms_sum bigint NOT NULL,
    gpu_ms_sum numeric NOT NULL,
    cache_hits bigint NOT NULL,
    duplicate_prompts bigint NOT NULL,
    latency_histogram bigint[] NOT NULL
) ON COMMIT DELETE ROWS;
DELETE FROM stage_telemetry_key;
DELETE FROM stage_telemetry_prompt;
DELETE FROM stage_telemetry_rollup;
