-- Ledger rows that no step claimed, summed per day and currency as Unallocated.
-- Parameters: none.
INSERT INTO attr_part
SELECT NULL, COUNT(*), c.day, c.currency, NULL, NULL, 'unallocated', 'none', '', '', NULL, NULL,
       SUM(c.billed_cost), SUM(c.effective_cost), SUM(c.list_cost)
FROM attr_class c
WHERE c.d_evidence IS NULL
  AND NOT c.has_usage
  AND NOT EXISTS (SELECT 1 FROM attr_shared_match m WHERE m.id = c.id)
GROUP BY c.day, c.currency;
