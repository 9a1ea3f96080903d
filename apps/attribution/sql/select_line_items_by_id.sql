-- Ledger rows by id, for allocation lineage. Parameters: ids (bigint[]).
SELECT id, provider, sub_account_id, charge_period_start, charge_period_end, charge_category,
       service_name, sku_id, resource_id, instance_type, tags, billing_currency,
       billed_cost, effective_cost, list_cost
FROM billing_costlineitem
WHERE id = ANY(%(ids)s)
ORDER BY id;
