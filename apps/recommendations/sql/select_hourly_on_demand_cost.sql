-- Hourly on-demand GPU capacity cost per endpoint (commitment lever baseline).
-- Parameters: start, end (dates, half-open, UTC days of allocation), endpoint_ids (bigint[]).
-- Sums the endpoint's allocated usage + idle billed cost of ledger rows priced On-Demand with an
-- instance type, spread evenly over the hours of each row's charge window. Read-only.
SELECT p.endpoint_id,
       h.hour,
       SUM(p.billed_cost / GREATEST(
           EXTRACT(EPOCH FROM (li.charge_period_end - li.charge_period_start)) / 3600, 1
       )) AS cost
FROM attribution_allocationpart p
JOIN billing_costlineitem li ON li.id = p.line_item_id
CROSS JOIN LATERAL generate_series(
    date_trunc('hour', li.charge_period_start),
    li.charge_period_end - interval '1 microsecond',
    interval '1 hour'
) AS h(hour)
WHERE p.day >= %(start)s AND p.day < %(end)s
  AND p.endpoint_id = ANY(%(endpoint_ids)s)
  AND p.category IN ('usage', 'idle')
  AND li.pricing_category = 'On-Demand'
  AND li.charge_category = 'Usage'
  AND li.instance_type <> ''
GROUP BY p.endpoint_id, h.hour;
