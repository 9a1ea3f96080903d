-- Ledger totals beside allocated totals per currency for one period (the conservation check).
-- Parameters: period (date).
SELECT COALESCE(l.currency, a.currency) AS currency,
       l.billed, a.billed, l.effective, a.effective, l.list, a.list
FROM (
    SELECT billing_currency AS currency, SUM(billed_cost) AS billed,
           SUM(effective_cost) AS effective, SUM(list_cost) AS list
    FROM billing_costlineitem WHERE billing_period_start = %(period)s
    GROUP BY billing_currency
) l
FULL JOIN (
    SELECT currency, SUM(billed_cost) AS billed, SUM(effective_cost) AS effective,
           SUM(list_cost) AS list
    FROM attribution_allocationpart WHERE billing_period_start = %(period)s
    GROUP BY currency
) a ON a.currency = l.currency
ORDER BY 1;
