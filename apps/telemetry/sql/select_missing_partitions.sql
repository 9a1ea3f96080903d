-- Which of the given UTC days have no telemetry_event partition yet.
-- Parameters: %(days)s: date[]. Partitions are named telemetry_event_pYYYYMMDD.
SELECT d::date
FROM unnest(%(days)s::date[]) AS d
WHERE to_regclass('telemetry_event_p' || to_char(d, 'YYYYMMDD')) IS NULL
ORDER BY d
