-- Requests and tokens of one team's endpoints over [start, end) (statement unit economics).
-- Parameters: team_id, start, end (UTC days). Read only.
SELECT e.name AS endpoint,
       SUM(r.requests) AS requests,
       SUM(r.input_tokens + r.output_tokens) AS tokens
FROM telemetry_telemetryrolluphourly r
JOIN catalog_modelendpoint e ON e.id = r.endpoint_id
WHERE e.team_id = %(team_id)s AND r.hour >= %(start)s::date AND r.hour < %(end)s::date
GROUP BY e.name;
