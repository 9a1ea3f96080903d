-- Hourly billed rate inputs per instance type (cost and instance-hours), for the price effect.
-- Parameters: start, end (timestamptz), instance_types (text[]). Read-only.
SELECT date_trunc('hour', li.charge_period_start) AS ts, li.instance_type,
       SUM(li.effective_cost) AS cost, SUM(li.consumed_quantity) AS hours
FROM billing_costlineitem li
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND li.instance_type = ANY(%(instance_types)s) AND li.consumed_quantity > 0
  AND li.charge_category = 'Usage'
GROUP BY 1, 2
