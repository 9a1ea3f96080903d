-- Every day partition of telemetry_event, with its day (parsed from the name).
-- Parameters: none.
SELECT c.relname, to_date(substr(c.relname, 18), 'YYYYMMDD') AS day
FROM pg_inherits AS i
JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = 'telemetry_event'::regclass
  AND c.relname ~ '^telemetry_event_p[0-9]{8}$'
ORDER BY day
