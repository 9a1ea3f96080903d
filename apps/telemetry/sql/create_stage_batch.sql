-- Session-local staging tables for one ingest batch (COPY targets), emptied.
-- Parameters: none. Rows vanish at commit; they are also emptied first, because tests run
-- several ingests inside one transaction.
-- stage_telemetry_key: the batch's idempotency keys, only when some may already be stored.
-- stage_telemetry_prompt: the first sighting in the batch of each (endpoint, day, prompt).
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
DELETE FROM stage_telemetry_key;
DELETE FROM stage_telemetry_prompt;
