-- The period's daily allocations: the sums of the stored parts per day, currency, endpoint,
-- team, category and evidence (from attr_daily, filled as the parts were written).
-- Parameters: period (date), run_id (bigint).
INSERT INTO attribution_costallocation (
    run_id, billing_period_start, day, currency, endpoint_id, team_id, category, evidence,
    line_items, billed_cost, effective_cost, list_cost
)
SELECT %(run_id)s, %(period)s, day, currency, endpoint_id, team_id, category, evidence,
       SUM(line_items), SUM(billed_cost), SUM(effective_cost), SUM(list_cost)
FROM attr_daily
GROUP BY day, currency, endpoint_id, team_id, category, evidence;
