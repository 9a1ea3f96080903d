-- Chargeback lines of one team and billing period: per endpoint and cost category.
-- Parameters: team_id, period_start, currency. Read only.
SELECT e.name AS endpoint, a.category,
       SUM(a.billed_cost) AS billed_cost,
       SUM(a.effective_cost) AS effective_cost,
       SUM(a.list_cost) AS list_cost
FROM attribution_costallocation a
LEFT JOIN catalog_modelendpoint e ON e.id = a.endpoint_id
WHERE a.team_id = %(team_id)s AND a.billing_period_start = %(period_start)s
  AND a.currency = %(currency)s
GROUP BY e.name, a.category
ORDER BY e.name NULLS LAST, a.category;
