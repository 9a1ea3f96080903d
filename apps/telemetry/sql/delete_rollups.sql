-- Delete the hourly rollups of [start, end) before add_events_to_rollups.sql rewrites them.
-- Parameters: %(start)s, %(end)s: hour-aligned timestamptz bounds.
DELETE FROM telemetry_telemetryrolluphourly WHERE hour >= %(start)s AND hour < %(end)s
