-- Shared-cost allocations of one team and billing period, per shared-cost rule.
-- Parameters: team_id, period_start, currency. Read only.
SELECT p.rule_ref AS rule, SUM(p.line_items) AS line_items,
       SUM(p.billed_cost) AS billed_cost,
       SUM(p.effective_cost) AS effective_cost,
       SUM(p.list_cost) AS list_cost
FROM attribution_allocationpart p
WHERE p.billing_period_start = %(period_start)s AND p.team_id = %(team_id)s
  AND p.category = 'shared' AND p.currency = %(currency)s
GROUP BY p.rule_ref
ORDER BY p.rule_ref;
