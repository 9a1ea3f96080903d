-- Take (delete and return) the oldest committed pending ingest batches, up to a limit.
-- Parameters: %(upto)s: the highest batch id to take; %(limit)s: how many at most.
-- Idempotency: a taken batch is gone; the caller adds its raw rows to the rollups in the same
-- transaction, under the rollup advisory lock, so a batch is applied exactly once. Batches of
-- transactions still in flight are not visible here and are taken by a later apply.
-- Returns id, first_day, last_day, events of each batch taken.
DELETE FROM telemetry_telemetrypendingbatch
WHERE id IN (
    SELECT id
    FROM telemetry_telemetrypendingbatch
    WHERE id <= %(upto)s
    ORDER BY id
    LIMIT %(limit)s
)
RETURNING id, first_day, last_day, events
