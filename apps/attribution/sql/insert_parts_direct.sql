-- Rows claimed directly (endpoint tag, catalog rule, team tag): usage, and idle where measured.
-- One receiver, so no split is needed. Parameters: period (date), run_id (bigint).
-- The daily sums (attr_daily) are taken from the same expressions over attr_class, so they
-- equal the stored parts without reading them back.
INSERT INTO attribution_allocationpart (
    run_id, billing_period_start, line_item_id, line_items, day, currency, endpoint_id, team_id,
    category, evidence, rule_ref, pool_resource_id, weight, weight_total, billed_cost,
    effective_cost, list_cost
)
SELECT %(run_id)s, %(period)s, c.id, 1, c.day, c.currency, c.d_endpoint_id, c.d_team_id,
       cat.category, c.d_evidence, c.d_rule_ref, '', NULL, NULL,
       CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END,
       CASE cat.category WHEN 'usage' THEN c.use_effective
            ELSE c.effective_cost - c.use_effective END,
       CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END
FROM attr_class c
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
WHERE c.d_evidence IS NOT NULL
  AND (cat.category = 'usage' OR c.split_idle);

INSERT INTO attr_daily
SELECT c.day, c.currency, c.d_endpoint_id, c.d_team_id, cat.category, c.d_evidence,
       COUNT(*), COUNT(*),
       SUM(CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END),
       SUM(CASE cat.category WHEN 'usage' THEN c.use_effective
                ELSE c.effective_cost - c.use_effective END),
       SUM(CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END)
FROM attr_class c
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
WHERE c.d_evidence IS NOT NULL
  AND (cat.category = 'usage' OR c.split_idle)
GROUP BY c.day, c.currency, c.d_endpoint_id, c.d_team_id, cat.category, c.d_evidence;
