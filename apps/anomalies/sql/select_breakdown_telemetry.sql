-- Usage of one endpoint per hour and telemetry dimension, for root cause.
-- Parameters: start, end (timestamptz), endpoint (name). Read-only.
SELECT r.hour AS ts, r.model_version, r.lane, r.customer, r.accelerator, r.resource_id,
       SUM(r.requests) AS requests, SUM(r.input_tokens + r.output_tokens) AS tokens,
       SUM(r.gpu_ms_sum) AS gpu_ms
FROM telemetry_telemetryrolluphourly r
JOIN catalog_modelendpoint e ON e.id = r.endpoint_id
WHERE r.hour >= %(start)s AND r.hour < %(end)s AND e.name = %(endpoint)s
GROUP BY 1, 2, 3, 4, 5, 6
