-- Record the batch's first sightings of prompt hashes per endpoint and UTC day.
-- Parameters: none (reads stage_telemetry_prompt, whose rows are unique).
-- Idempotency key: telemetry_telemetrypromptseen (endpoint_id, day, prompt_hash). A hash
-- already seen that day inserts nothing, and its events are duplicate prompts. Rows are
-- locked in key order, so concurrent batches wait for each other instead of deadlocking.
-- Returns the sightings that were new.
INSERT INTO telemetry_telemetrypromptseen (endpoint_id, day, prompt_hash)
SELECT endpoint_id, day, prompt_hash
FROM stage_telemetry_prompt
ORDER BY endpoint_id, day, prompt_hash COLLATE "C"
ON CONFLICT DO NOTHING
RETURNING endpoint_id, day, prompt_hash
