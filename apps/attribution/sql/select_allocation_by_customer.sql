-- Showback per customer. Parameters: start, end (dates), team_ids (bigint[] or null),
-- all_teams (bool), by_month (bool).
-- An endpoint-day's usage cost is split by each customer's share of its GPU-seconds that day
-- (an endpoint-day with no telemetry shows as '(no telemetry)'); idle, shared and unallocated
-- cost keep their own groups. Display-grade shares: sums may differ from the allocation in the
-- last of 24 decimal places.
WITH alloc AS (
    SELECT a.day, a.currency, a.endpoint_id, a.category,
           SUM(a.billed_cost) AS billed, SUM(a.effective_cost) AS effective,
           SUM(a.list_cost) AS list
    FROM attribution_costallocation a
    WHERE a.day >= %(start)s AND a.day < %(end)s
      AND (%(all_teams)s OR a.team_id = ANY(%(team_ids)s))
    GROUP BY a.day, a.currency, a.endpoint_id, a.category
), share AS (
    SELECT endpoint_id, (hour AT TIME ZONE 'UTC')::date AS day, customer,
           SUM(gpu_ms_sum) AS gpu_ms,
           SUM(SUM(gpu_ms_sum)) OVER (PARTITION BY endpoint_id, (hour AT TIME ZONE 'UTC')::date)
               AS day_gpu_ms
    FROM telemetry_telemetryrolluphourly
    WHERE hour >= %(start)s::date AND hour < %(end)s::date
    GROUP BY endpoint_id, (hour AT TIME ZONE 'UTC')::date, customer
), pieces AS (
    SELECT a.day, a.currency, COALESCE(s.customer, '(no telemetry)') AS grp,
           a.billed * COALESCE(s.gpu_ms / NULLIF(s.day_gpu_ms, 0), 1) AS billed,
           a.effective * COALESCE(s.gpu_ms / NULLIF(s.day_gpu_ms, 0), 1) AS effective,
           a.list * COALESCE(s.gpu_ms / NULLIF(s.day_gpu_ms, 0), 1) AS list
    FROM alloc a
    LEFT JOIN share s ON s.endpoint_id = a.endpoint_id AND s.day = a.day
    WHERE a.category = 'usage' AND a.endpoint_id IS NOT NULL
    UNION ALL
    SELECT day, currency, '(' || category || ')', billed, effective, list
    FROM alloc
    WHERE category <> 'usage' OR endpoint_id IS NULL
)
SELECT CASE WHEN %(by_month)s THEN date_trunc('month', day)::date ELSE day END AS period,
       grp, currency,
       round(SUM(billed), 24), round(SUM(effective), 24), round(SUM(list), 24)
FROM pieces
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
