-- Current allocated totals of one team for several billing periods (restatement check).
-- Parameters: team_id, periods (date[]), currency. Read only.
SELECT a.billing_period_start,
       SUM(a.billed_cost) AS billed_cost,
       SUM(a.effective_cost) AS effective_cost,
       SUM(a.list_cost) AS list_cost
FROM attribution_costallocation a
WHERE a.team_id = %(team_id)s AND a.billing_period_start = ANY(%(periods)s)
  AND a.currency = %(currency)s
GROUP BY a.billing_period_start;
