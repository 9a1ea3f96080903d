-- Allocated cost of one endpoint or team per hour and ledger dimension, for root cause.
-- Parameters: start, end (timestamptz), endpoint (name or NULL), team (name or NULL). Read-only.
-- The resource of a pool split is the pool's resource id.
SELECT date_trunc('hour', li.charge_period_start) AS ts,
       COALESCE(NULLIF(p.pool_resource_id, ''), li.resource_id) AS resource_id,
       li.instance_type, li.sku_id, li.region, li.sub_account_id AS account,
       COALESCE(e.name, '') AS endpoint, SUM(p.effective_cost) AS cost
FROM attribution_allocationpart p
JOIN billing_costlineitem li ON li.id = p.line_item_id
LEFT JOIN catalog_modelendpoint e ON e.id = p.endpoint_id
LEFT JOIN accounts_team t ON t.id = p.team_id
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND (%(endpoint)s::text IS NULL OR e.name = %(endpoint)s::text)
  AND (%(team)s::text IS NULL OR t.name = %(team)s::text)
GROUP BY 1, 2, 3, 4, 5, 6, 7
