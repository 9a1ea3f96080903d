-- Hourly usage per endpoint over [start, end): requests, tokens and GPU time from the rollups.
-- Parameters: start, end (timestamptz). Read-only.
SELECT e.name AS key, t.name AS team, r.hour AS ts, SUM(r.requests) AS requests,
       SUM(r.input_tokens + r.output_tokens) AS tokens,
       SUM(r.input_tokens) AS input_tokens, SUM(r.output_tokens) AS output_tokens,
       SUM(r.gpu_ms_sum) AS gpu_ms
FROM telemetry_telemetryrolluphourly r
JOIN catalog_modelendpoint e ON e.id = r.endpoint_id
JOIN accounts_team t ON t.id = e.team_id
WHERE r.hour >= %(start)s AND r.hour < %(end)s
GROUP BY 1, 2, 3
