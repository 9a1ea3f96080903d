-- Replace the period's stored parts and daily allocations with this run's, in one transaction.
-- Parameters: period (date), run_id (bigint). Idempotency key: billing_period_start.
DELETE FROM attribution_costallocation WHERE billing_period_start = %(period)s;

DELETE FROM attribution_allocationpart WHERE billing_period_start = %(period)s;

INSERT INTO attribution_allocationpart (
    run_id, billing_period_start, line_item_id, line_items, day, currency, endpoint_id, team_id, category,
    evidence, rule_ref, pool_resource_id, weight, weight_total, billed_cost, effective_cost,
    list_cost
)
SELECT %(run_id)s, %(period)s, line_item_id, line_items, day, currency, endpoint_id, team_id, category,
       evidence, rule_ref, pool_resource_id, round(weight, 6), round(weight_total, 6),
       billed_cost, effective_cost, list_cost
FROM attr_part;

INSERT INTO attribution_costallocation (
    run_id, billing_period_start, day, currency, endpoint_id, team_id, category, evidence,
    line_items, billed_cost, effective_cost, list_cost
)
SELECT %(run_id)s, %(period)s, day, currency, endpoint_id, team_id, category, evidence,
       SUM(line_items), SUM(billed_cost), SUM(effective_cost), SUM(list_cost)
FROM attr_part
GROUP BY day, currency, endpoint_id, team_id, category, evidence;
