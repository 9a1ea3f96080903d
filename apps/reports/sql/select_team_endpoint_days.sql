-- One team's endpoints per UTC day: usage + idle cost, idle cost, requests and tokens.
-- Parameters: team_id, start, end (UTC days, half-open), currency. Read only.
-- Both scans go through the team's endpoint ids, so they use the (endpoint_id, day|hour) indexes.
WITH eps AS (
    SELECT id, name FROM catalog_modelendpoint WHERE team_id = %(team_id)s
), cost AS (
    SELECT a.endpoint_id, a.day,
           SUM(a.billed_cost) FILTER (WHERE a.category IN ('usage', 'idle')) AS cost,
           SUM(a.billed_cost) FILTER (WHERE a.category = 'idle') AS idle_cost
    FROM attribution_costallocation a
    WHERE a.endpoint_id IN (SELECT id FROM eps)
      AND a.day >= %(start)s AND a.day < %(end)s AND a.currency = %(currency)s
    GROUP BY a.endpoint_id, a.day
), usage AS (
    SELECT r.endpoint_id, (r.hour AT TIME ZONE 'UTC')::date AS day,
           SUM(r.requests) AS requests,
           SUM(r.input_tokens + r.output_tokens) AS tokens
    FROM telemetry_telemetryrolluphourly r
    WHERE r.endpoint_id IN (SELECT id FROM eps)
      AND r.hour >= (%(start)s::date)::timestamp AT TIME ZONE 'UTC'
      AND r.hour < (%(end)s::date)::timestamp AT TIME ZONE 'UTC'
    GROUP BY r.endpoint_id, (r.hour AT TIME ZONE 'UTC')::date
)
SELECT e.name AS endpoint, c.day,
       COALESCE(c.cost, 0) AS cost,
       COALESCE(c.idle_cost, 0) AS idle_cost,
       COALESCE(u.requests, 0) AS requests,
       COALESCE(u.tokens, 0) AS tokens
FROM cost c
JOIN eps e ON e.id = c.endpoint_id
LEFT JOIN usage u ON u.endpoint_id = c.endpoint_id AND u.day = c.day
ORDER BY e.name, c.day;
