-- Measured use of each resource by each endpoint per hour in the period (from rollups), its
-- per-hour total, and the endpoints that reported any telemetry in the period.
-- Parameters: start_at, end_at (timestamptz, the period's hours, half-open).
-- GPU time is summed in whole microseconds as bigint (gpu_ms_sum has 3 decimals, so this is
-- exact): integer sums aggregate several times faster than numeric ones. No indexes: every
-- later step reads these tables with hash joins.
CREATE TEMP TABLE attr_usage ON COMMIT DROP AS
SELECT resource_id, hour, endpoint_id,
       SUM((gpu_ms_sum * 1000)::bigint) AS gpu_us,
       SUM(input_tokens + output_tokens) AS tokens
FROM telemetry_telemetryrolluphourly
WHERE hour >= %(start_at)s AND hour < %(end_at)s AND resource_id <> ''
GROUP BY resource_id, hour, endpoint_id;

CREATE TEMP TABLE attr_used ON COMMIT DROP AS
SELECT resource_id, hour, SUM(gpu_us) AS gpu_us
FROM attr_usage
GROUP BY resource_id, hour;

CREATE TEMP TABLE attr_reporting ON COMMIT DROP AS
SELECT DISTINCT endpoint_id
FROM telemetry_telemetryrolluphourly
WHERE hour >= %(start_at)s AND hour < %(end_at)s;

ANALYZE attr_usage;

ANALYZE attr_used;

ANALYZE attr_reporting;
