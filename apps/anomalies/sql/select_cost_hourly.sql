-- Hourly allocated cost per series over [start, end): one row per (series kind, key, hour).
-- Parameters: start, end (timestamptz). Read-only.
-- Endpoint and team cost come from attribution parts joined to their ledger row, whose charge
-- period gives the hour (rows longer than one hour, such as daily transfer lines, belong to the
-- daily series only). Instance-type, service and account cost come straight from the ledger.
-- Money is the amortised cost (effective_cost): a Savings-Plan-covered hour costs its plan rate.
-- ``pooled`` is the part of an endpoint's cost that is its share of a shared pool (set hour by
-- hour by its neighbours' traffic as much as by its own); 0 for the other series.
SELECT 'endpoint' AS kind, e.name AS key, t.name AS team, date_trunc('hour', li.charge_period_start) AS ts,
       SUM(p.effective_cost) AS cost,
       COALESCE(SUM(p.effective_cost) FILTER (WHERE p.pool_resource_id <> ''), 0) AS pooled
FROM attribution_allocationpart p
JOIN billing_costlineitem li ON li.id = p.line_item_id
JOIN catalog_modelendpoint e ON e.id = p.endpoint_id
LEFT JOIN accounts_team t ON t.id = p.team_id
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND li.charge_period_end - li.charge_period_start <= interval '1 hour'
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'team', t.name, t.name, date_trunc('hour', li.charge_period_start), SUM(p.effective_cost), 0
FROM attribution_allocationpart p
JOIN billing_costlineitem li ON li.id = p.line_item_id
JOIN accounts_team t ON t.id = p.team_id
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND li.charge_period_end - li.charge_period_start <= interval '1 hour'
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'instance_type', li.instance_type, NULL, date_trunc('hour', li.charge_period_start),
       SUM(li.effective_cost), 0
FROM billing_costlineitem li
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND li.charge_period_end - li.charge_period_start <= interval '1 hour'
  AND li.instance_type <> ''
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'account', li.sub_account_id, NULL, date_trunc('hour', li.charge_period_start),
       SUM(li.effective_cost), 0
FROM billing_costlineitem li
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND li.charge_period_end - li.charge_period_start <= interval '1 hour'
  AND li.sub_account_id <> ''
GROUP BY 1, 2, 3, 4
