-- Rows claimed directly (endpoint tag, catalog rule, team tag): usage, and idle where measured.
-- One receiver, so no split is needed. Parameters: none.
INSERT INTO attr_part
SELECT c.id, 1, c.day, c.currency, c.d_endpoint_id, c.d_team_id, cat.category,
       c.d_evidence, c.d_rule_ref, '', NULL, NULL,
       CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END,
       CASE cat.category WHEN 'usage' THEN c.use_effective
            ELSE c.effective_cost - c.use_effective END,
       CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END
FROM attr_class c
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
WHERE c.d_evidence IS NOT NULL
  AND (cat.category = 'usage' OR c.split_idle);
