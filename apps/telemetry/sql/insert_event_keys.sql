-- Claim the batch's idempotency keys that are new; used when the batch's direct COPY into
-- the key table met a key that is already stored.
-- Parameters: %(endpoint_ids)b bigint[], %(request_ids)b text[], %(ts)b timestamptz[]: one
-- element per key (keys unique within the batch).
-- Idempotency key: telemetry_telemetryeventkey (endpoint_id, request_id). A key that exists
-- (earlier batch, or a concurrent one that committed first) is skipped. Keys are inserted in
-- (endpoint_id, request_id) order, as the direct COPY does, so concurrent batches wait for
-- each other instead of deadlocking.
-- Returns the keys inserted.
INSERT INTO telemetry_telemetryeventkey (endpoint_id, request_id, ts)
SELECT endpoint_id, request_id, ts
FROM unnest(%(endpoint_ids)b::bigint[], %(request_ids)b::text[], %(ts)b::timestamptz[])
    AS k (endpoint_id, request_id, ts)
ORDER BY endpoint_id, request_id COLLATE "C"
ON CONFLICT DO NOTHING
RETURNING endpoint_id, request_id
