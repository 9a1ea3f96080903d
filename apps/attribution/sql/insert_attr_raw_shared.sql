-- Rows nothing claimed, offered to shared-cost rules (first match by priority wins), and split
-- per (day, currency, rule) over the rule's receivers. Parameters: none. Receivers per method:
--   proportional: teams with positive direct (usage + idle) billed cost this period and currency,
--                 weighted by that cost;  even: the same teams, equal weights;
--   fixed: the listed teams by percent, the rest of 100%% stays Unallocated;  team: one team.
-- A group whose rule finds no receiver stays Unallocated. The teams' direct cost is the daily
-- sum of the direct and telemetry parts stored so far.
CREATE TEMP TABLE attr_team_direct ON COMMIT DROP AS
SELECT currency, team_id, SUM(billed_cost) AS direct_billed
FROM attr_daily
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

CREATE TEMP TABLE attr_shared_group ON COMMIT DROP AS
SELECT -dense_rank() OVER (ORDER BY day, currency, rule_id) AS group_id,
       day, currency, rule_id, name, method, team_id,
       COUNT(*) AS n, SUM(billed_cost) AS billed, SUM(effective_cost) AS effective,
       SUM(list_cost) AS list
FROM attr_shared_match
GROUP BY day, currency, rule_id, name, method, team_id;

INSERT INTO attr_part_raw
SELECT g.group_id, 'shared', NULL, g.n, g.day, g.currency, NULL, recv.team_id,
       CASE WHEN recv.team_id IS NULL THEN 'unallocated' ELSE 'shared' END,
       'shared_rule', 'shared:' || g.name, '', recv.weight, g.billed, g.effective, g.list
FROM attr_shared_group g
CROSS JOIN LATERAL (
    SELECT td.team_id, td.direct_billed AS weight
    FROM attr_team_direct td
    WHERE g.method = 'proportional' AND td.currency = g.currency
    UNION ALL
    SELECT td.team_id, 1
    FROM attr_team_direct td
    WHERE g.method = 'even' AND td.currency = g.currency
    UNION ALL
    SELECT p.team_id, p.pct
    FROM attr_shared_pct p
    WHERE g.method = 'fixed' AND p.rule_id = g.rule_id
    UNION ALL
    SELECT NULL, 100 - SUM(p.pct)
    FROM attr_shared_pct p
    WHERE g.method = 'fixed' AND p.rule_id = g.rule_id
    HAVING SUM(p.pct) < 100
    UNION ALL
    SELECT g.team_id, 1
    WHERE g.method = 'team'
) recv;

DELETE FROM attr_shared_match m
USING attr_shared_group g
WHERE g.day = m.day AND g.currency = m.currency AND g.rule_id = m.rule_id
  AND NOT EXISTS (SELECT 1 FROM attr_part_raw r WHERE r.group_id = g.group_id);
