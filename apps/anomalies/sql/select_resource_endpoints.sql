-- Endpoints billed for one resource (directly or as a pool) over [start, end), to tell whether
-- an anomaly whose top cause is that resource is the same incident as one of theirs.
-- Parameters: start, end (timestamptz), resource_id (text). Read-only.
SELECT DISTINCT p.endpoint_id
FROM attribution_allocationpart p
JOIN billing_costlineitem li ON li.id = p.line_item_id
WHERE li.charge_period_start >= %(start)s AND li.charge_period_start < %(end)s
  AND (li.resource_id = %(resource_id)s OR p.pool_resource_id = %(resource_id)s)
  AND p.endpoint_id IS NOT NULL
