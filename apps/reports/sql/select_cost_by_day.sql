-- Allocated cost per UTC day, team and endpoint over [start, end) (trends, forecasts).
-- Parameters: start, end, currency, all_teams (bool), team_ids (bigint[]). Read only.
SELECT a.day, a.team_id, a.endpoint_id,
       SUM(a.billed_cost) AS billed_cost,
       SUM(a.effective_cost) AS effective_cost,
       SUM(a.list_cost) AS list_cost
FROM attribution_costallocation a
WHERE a.day >= %(start)s AND a.day < %(end)s AND a.currency = %(currency)s
  AND (%(all_teams)s OR a.team_id = ANY(%(team_ids)s))
GROUP BY a.day, a.team_id, a.endpoint_id
ORDER BY a.day;
