-- Every ledger row that no step claimed: one Unallocated part with its whole cost.
-- Parameters: none.
INSERT INTO attr_part
SELECT c.id, c.day, c.currency, NULL, NULL, 'unallocated', 'none', '', '', NULL, NULL,
       c.billed_cost, c.effective_cost, c.list_cost
FROM attr_class c
WHERE NOT EXISTS (SELECT 1 FROM attr_part p WHERE p.line_item_id = c.id);
