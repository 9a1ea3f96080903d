-- Rows nothing claimed, offered to shared-cost rules (first match by priority wins).
-- Parameters: none. Receivers per method:
--   proportional: teams with positive direct (usage + idle) billed cost this period and currency,
--                 weighted by that cost;  even: the same teams, equal weights;
--   fixed: the listed teams by percent, the rest of 100%% stays Unallocated;  team: one team.
-- A row whose rule finds no receiver stays Unallocated (added later).
CREATE TEMP TABLE attr_team_direct ON COMMIT DROP AS
SELECT currency, team_id, SUM(billed_cost) AS direct_billed
FROM attr_part
WHERE team_id IS NOT NULL AND category IN ('usage', 'idle')
GROUP BY currency, team_id
HAVING SUM(billed_cost) > 0;

CREATE TEMP TABLE attr_shared_match ON COMMIT DROP AS
SELECT DISTINCT ON (c.id) c.id, c.day, c.currency, c.billed_cost, c.effective_cost, c.list_cost,
       r.rule_id, r.name, r.method, r.team_id
FROM attr_class c
JOIN attr_shared_rule r
  ON c.charge_category ILIKE r.cc_like
 AND c.service_category ILIKE r.sc_like
 AND c.service_name ILIKE r.sn_like
WHERE c.d_evidence IS NULL AND NOT c.has_usage
ORDER BY c.id, r.priority, r.rule_id;

INSERT INTO attr_part_raw
SELECT m.id, 'shared', m.day, m.currency, NULL, recv.team_id,
       CASE WHEN recv.team_id IS NULL THEN 'unallocated' ELSE 'shared' END,
       'shared_rule', 'shared:' || m.name, '', recv.weight,
       m.billed_cost, m.effective_cost, m.list_cost
FROM attr_shared_match m
CROSS JOIN LATERAL (
    SELECT td.team_id, td.direct_billed AS weight
    FROM attr_team_direct td
    WHERE m.method = 'proportional' AND td.currency = m.currency
    UNION ALL
    SELECT td.team_id, 1
    FROM attr_team_direct td
    WHERE m.method = 'even' AND td.currency = m.currency
    UNION ALL
    SELECT p.team_id, p.pct
    FROM attr_shared_pct p
    WHERE m.method = 'fixed' AND p.rule_id = m.rule_id
    UNION ALL
    SELECT NULL, 100 - SUM(p.pct)
    FROM attr_shared_pct p
    WHERE m.method = 'fixed' AND p.rule_id = m.rule_id
    HAVING SUM(p.pct) < 100
    UNION ALL
    SELECT m.team_id, 1
    WHERE m.method = 'team'
) recv;
