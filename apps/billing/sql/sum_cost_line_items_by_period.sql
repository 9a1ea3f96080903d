-- Stored totals of one import, per billing period and currency, to compare with the totals
-- summed from the source file. Parameters: %(import_id)s. Read-only.
SELECT billing_period_start, billing_currency,
       SUM(billed_cost), SUM(effective_cost), SUM(list_cost), COUNT(*)
FROM billing_costlineitem
WHERE import_run_id = %(import_id)s
GROUP BY billing_period_start, billing_currency
ORDER BY billing_period_start, billing_currency;
