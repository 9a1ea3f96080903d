-- Record a stored batch as pending for the rollups and, in the same statement, the batch's
-- first sightings of prompt hashes per endpoint and UTC day.
-- Parameters: %(first_day)s, %(last_day)s date: the UTC days of the batch's events;
-- %(events)s: how many; %(endpoint_ids)b bigint[], %(days)b date[], %(hashes)b text[]: one
-- element per sighting to record (unique; empty arrays: none).
-- Idempotency key: telemetry_telemetrypromptseen (endpoint_id, day, prompt_hash). A hash
-- already seen that day inserts nothing, and its events are duplicate prompts. Sightings are
-- locked in key order, so concurrent batches wait for each other instead of deadlocking.
-- Returns one row per new sighting (batch id, endpoint_id, day, prompt_hash), or a single
-- row (batch id, NULL, NULL, NULL) when none is new.
WITH batch AS (
    INSERT INTO telemetry_telemetrypendingbatch (first_day, last_day, events, created_at)
    VALUES (%(first_day)s, %(last_day)s, %(events)s, now())
    RETURNING id
), sighted AS (
    INSERT INTO telemetry_telemetrypromptseen (endpoint_id, day, prompt_hash)
    SELECT endpoint_id, day, prompt_hash
    FROM unnest(%(endpoint_ids)b::bigint[], %(days)b::date[], %(hashes)b::text[])
        AS s (endpoint_id, day, prompt_hash)
    ORDER BY endpoint_id, day, prompt_hash COLLATE "C"
    ON CONFLICT DO NOTHING
    RETURNING endpoint_id, day, prompt_hash
)
SELECT batch.id, sighted.endpoint_id, sighted.day, sighted.prompt_hash
FROM batch
LEFT JOIN sighted ON true
