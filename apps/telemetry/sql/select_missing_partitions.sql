-- Which of the given UTC days have no telemetry_event partition yet.
-- Parameters: %(days)s: date[]. Partitions are named telemetry_event_pYYYYMMDD.
-- Reads pg_inherits and pg_class with the statement's snapshot, so a partition another
-- session committed is seen even where this session's catalog cache is not yet up to date
-- (to_regclass reads that cache; an advisory lock does not refresh it).
SELECT d::date
FROM unnest(%(days)s::date[]) AS d
WHERE NOT EXISTS (
    SELECT 1
    FROM pg_inherits AS i
    JOIN pg_class AS c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'telemetry_event'::regclass
      AND c.relname = 'telemetry_event_p' || to_char(d, 'YYYYMMDD')
)
ORDER BY d
