-- Unit economics per endpoint and day (billed cost), scoped to teams.
-- Parameters: start, end (dates, half-open), team_ids (bigint[] or null), all_teams (bool),
-- endpoint (text or null).
WITH cost AS (
    SELECT endpoint_id, day, currency,
           SUM(billed_cost) FILTER (WHERE category IN ('usage', 'idle')) AS cost,
           SUM(billed_cost) FILTER (WHERE category = 'idle') AS idle
    FROM attribution_costallocation
    WHERE day >= %(start)s AND day < %(end)s AND endpoint_id IS NOT NULL
    GROUP BY endpoint_id, day, currency
), usage AS (
    SELECT endpoint_id, (hour AT TIME ZONE 'UTC')::date AS day,
           SUM(requests) AS requests,
           SUM(requests - errors - timeouts) AS ok_requests,
           SUM(input_tokens) AS input_tokens,
           SUM(output_tokens) AS output_tokens
    FROM telemetry_telemetryrolluphourly
    WHERE hour >= %(start)s::date AND hour < %(end)s::date
    GROUP BY endpoint_id, (hour AT TIME ZONE 'UTC')::date
)
SELECT e.name AS endpoint, t.name AS team, c.day, c.currency,
       c.cost,
       COALESCE(c.idle, 0) AS idle_cost,
       COALESCE(u.requests, 0) AS requests,
       COALESCE(u.ok_requests, 0) AS successful_requests,
       COALESCE(u.input_tokens, 0) AS input_tokens,
       COALESCE(u.output_tokens, 0) AS output_tokens,
       round(c.cost * 1000 / NULLIF(u.input_tokens, 0), 10) AS cost_per_1k_input_tokens,
       round(c.cost * 1000 / NULLIF(u.output_tokens, 0), 10) AS cost_per_1k_output_tokens,
       round(c.cost * 1000 / NULLIF(u.input_tokens + u.output_tokens, 0), 10)
           AS cost_per_1k_tokens,
       round(c.cost / NULLIF(u.requests, 0), 10) AS cost_per_request,
       round(c.cost / NULLIF(u.ok_requests, 0), 10) AS cost_per_successful_request,
       round(COALESCE(c.idle, 0) / NULLIF(c.cost, 0), 6) AS idle_share
FROM cost c
JOIN catalog_modelendpoint e ON e.id = c.endpoint_id
JOIN accounts_team t ON t.id = e.team_id
LEFT JOIN usage u ON u.endpoint_id = c.endpoint_id AND u.day = c.day
WHERE (%(all_teams)s OR e.team_id = ANY(%(team_ids)s))
  AND (%(endpoint)s::text IS NULL OR e.name = %(endpoint)s)
ORDER BY e.name, c.day, c.currency;
