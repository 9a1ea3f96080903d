-- Daily allocated cost per series over [start, end): one row per (series kind, key, day).
-- Parameters: start, end (dates). Read-only.
-- Endpoint and team cost are the attribution parts of the day (every ledger row, hourly or
-- daily). Instance-type and account cost come straight from the ledger, by charge date.
-- Money is the amortised cost (effective_cost): a Savings-Plan-covered hour costs its plan rate.
-- ``pooled``: an endpoint's share of shared pools (see select_cost_hourly.sql); 0 otherwise.
SELECT 'endpoint' AS kind, e.name AS key, t.name AS team, p.day AS ts,
       SUM(p.effective_cost) AS cost,
       COALESCE(SUM(p.effective_cost) FILTER (WHERE p.pool_resource_id <> ''), 0) AS pooled
FROM attribution_allocationpart p
JOIN catalog_modelendpoint e ON e.id = p.endpoint_id
LEFT JOIN accounts_team t ON t.id = p.team_id
WHERE p.day >= %(start)s AND p.day < %(end)s
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'team', t.name, t.name, p.day, SUM(p.effective_cost), 0
FROM attribution_allocationpart p
JOIN accounts_team t ON t.id = p.team_id
WHERE p.day >= %(start)s AND p.day < %(end)s
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'instance_type', li.instance_type, NULL, li.charge_date, SUM(li.effective_cost), 0
FROM billing_costlineitem li
WHERE li.charge_date >= %(start)s AND li.charge_date < %(end)s AND li.instance_type <> ''
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'account', li.sub_account_id, NULL, li.charge_date, SUM(li.effective_cost), 0
FROM billing_costlineitem li
WHERE li.charge_date >= %(start)s AND li.charge_date < %(end)s AND li.sub_account_id <> ''
GROUP BY 1, 2, 3, 4
