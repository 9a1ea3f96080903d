-- Copy the staged, validated rows into the ledger in one set-based statement.
-- Parameters: %(source_id)s, %(import_id)s. Runs in the same transaction as
-- delete_cost_line_items_for_slices, which makes the restatement atomic.
INSERT INTO billing_costlineitem (
    source_id, import_run_id, source_row, provider, billing_account_id, sub_account_id,
    billing_period_start, charge_period_start, charge_period_end, charge_date,
    charge_category, charge_class, billed_cost, effective_cost, list_cost, contracted_cost,
    billing_currency, pricing_category, pricing_quantity, pricing_unit, consumed_quantity,
    consumed_unit, service_name, service_category, sku_id, resource_id, resource_name,
    resource_type, region, instance_type, commitment_discount_id, tags
)
SELECT
    %(source_id)s, %(import_id)s, source_row, provider, billing_account_id, sub_account_id,
    billing_period_start, charge_period_start, charge_period_end,
    (charge_period_start AT TIME ZONE 'UTC')::date,
    charge_category, charge_class, billed_cost, effective_cost, list_cost, contracted_cost,
    billing_currency, pricing_category, pricing_quantity, pricing_unit, consumed_quantity,
    consumed_unit, service_name, service_category, sku_id, resource_id, resource_name,
    resource_type, region, instance_type, commitment_discount_id, tags
FROM billing_stage_line_item;
