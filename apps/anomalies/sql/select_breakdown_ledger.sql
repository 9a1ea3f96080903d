-- Ledger cost of one instance type or account per hour and dimension, for root cause.
-- Parameters: start, end (timestamptz), instance_type (or NULL), account (or NULL). Read-only.
SELECT date_trunc('hour', li.charge_period_start) AS ts, li.resource_id, li.instance_type,
       li.sku_id, li.region, li.sub_account_id AS account, '' AS endpoint,
       SUM(li.effective_cost) AS cost
FROM billing_costlineitem li
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND (%(instance_type)s::text IS NULL OR li.instance_type = %(instance_type)s::text)
  AND (%(account)s::text IS NULL OR li.sub_account_id = %(account)s::text)
GROUP BY 1, 2, 3, 4, 5, 6
