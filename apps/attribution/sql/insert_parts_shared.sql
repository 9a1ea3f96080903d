-- Store the shared and unallocated parts (kept per day, currency, rule and team in attr_part)
-- and add them to the daily sums. Parameters: period (date), run_id (bigint).
INSERT INTO attribution_allocationpart (
    run_id, billing_period_start, line_item_id, line_items, day, currency, endpoint_id, team_id,
    category, evidence, rule_ref, pool_resource_id, weight, weight_total, billed_cost,
    effective_cost, list_cost
)
SELECT %(run_id)s, %(period)s, line_item_id, line_items, day, currency, endpoint_id, team_id,
       category, evidence, rule_ref, pool_resource_id, round(weight, 6), round(weight_total, 6),
       billed_cost, effective_cost, list_cost
FROM attr_part;

INSERT INTO attr_daily
SELECT day, currency, endpoint_id, team_id, category, evidence, COUNT(*), SUM(line_items),
       SUM(billed_cost), SUM(effective_cost), SUM(list_cost)
FROM attr_part
GROUP BY day, currency, endpoint_id, team_id, category, evidence;
