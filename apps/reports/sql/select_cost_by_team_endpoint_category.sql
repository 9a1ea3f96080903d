-- Allocated cost of [start, end) per team, endpoint and category (dashboards, top movers).
-- Parameters: start, end (UTC days, half-open), currency, all_teams (bool), team_ids (bigint[]).
-- Read only. Unallocated rows have no team and no endpoint.
SELECT a.team_id, t.name AS team, COALESCE(t.cost_center, '') AS cost_center,
       a.endpoint_id, e.name AS endpoint, a.category,
       SUM(a.billed_cost) AS billed_cost,
       SUM(a.effective_cost) AS effective_cost,
       SUM(a.list_cost) AS list_cost
FROM attribution_costallocation a
LEFT JOIN accounts_team t ON t.id = a.team_id
LEFT JOIN catalog_modelendpoint e ON e.id = a.endpoint_id
WHERE a.day >= %(start)s AND a.day < %(end)s AND a.currency = %(currency)s
  AND (%(all_teams)s OR a.team_id = ANY(%(team_ids)s))
GROUP BY a.team_id, t.name, t.cost_center, a.endpoint_id, e.name, a.category
ORDER BY t.name NULLS LAST, e.name NULLS FIRST, a.category;
