-- The strongest direct match of each ledger row: endpoint tag, catalog rule, then team tag.
-- Parameters: tag_keys (text[]: every tag key any rule reads).
-- Tags are exploded once (only the keys rules read), resource globs are evaluated once per
-- distinct resource id, so the cost is linear in ledger rows, not rows x rules.
CREATE TEMP TABLE attr_li_tag ON COMMIT DROP AS
SELECT li.id AS line_item_id, kv.key, kv.value
FROM billing_costlineitem li
CROSS JOIN LATERAL jsonb_each_text(li.tags) kv
WHERE li.billing_period_start = %(period)s AND kv.key = ANY(%(tag_keys)s);

-- Rules outer, resource ids inner: each pattern is compiled once and matched against every id
-- in a row (PostgreSQL caches only a few compiled regular expressions).
CREATE TEMP TABLE attr_resource_ids ON COMMIT DROP AS
SELECT DISTINCT resource_id FROM attr_li WHERE resource_id <> '';

CREATE TEMP TABLE attr_resource_match ON COMMIT DROP AS
SELECT r.resource_id, ru.rule_ref
FROM attr_rule ru
CROSS JOIN LATERAL (
    SELECT resource_id FROM attr_resource_ids WHERE resource_id ~ ru.pattern
) r
WHERE ru.kind = 'resource';

ANALYZE attr_li_tag;

ANALYZE attr_resource_match;

CREATE TEMP TABLE attr_direct ON COMMIT DROP AS
SELECT DISTINCT ON (line_item_id)
    line_item_id, endpoint_id, team_id, evidence, rule_ref
FROM (
    -- endpoint named by a tag value
    SELECT t.line_item_id, e.id AS endpoint_id, e.team_id, ru.evidence, ru.rule_ref,
           ru.class_rank, ru.priority, ru.kind_rank
    FROM attr_li_tag t
    JOIN attr_rule ru ON ru.kind = 'endpoint_tag' AND ru.tag_key = t.key
    JOIN catalog_modelendpoint e ON e.name = t.value
    UNION ALL
    -- catalog tag rules
    SELECT t.line_item_id, ru.endpoint_id, e.team_id, ru.evidence, ru.rule_ref,
           ru.class_rank, ru.priority, ru.kind_rank
    FROM attr_li_tag t
    JOIN attr_rule ru ON ru.kind = 'tag' AND ru.tag_key = t.key
        AND (cardinality(ru.vals) = 0 OR t.value = ANY(ru.vals))
    JOIN catalog_modelendpoint e ON e.id = ru.endpoint_id
    UNION ALL
    -- catalog resource-id globs
    SELECT li.id, ru.endpoint_id, e.team_id, ru.evidence, ru.rule_ref,
           ru.class_rank, ru.priority, ru.kind_rank
    FROM attr_li li
    JOIN attr_resource_match m ON m.resource_id = li.resource_id
    JOIN attr_rule ru ON ru.rule_ref = m.rule_ref
    JOIN catalog_modelendpoint e ON e.id = ru.endpoint_id
    UNION ALL
    -- catalog account / instance-type rules
    SELECT li.id, ru.endpoint_id, e.team_id, ru.evidence, ru.rule_ref,
           ru.class_rank, ru.priority, ru.kind_rank
    FROM attr_li li
    JOIN attr_rule ru
        ON (ru.kind = 'account' AND li.sub_account_id = ru.pattern)
        OR (ru.kind = 'instance_type' AND li.instance_type = ru.pattern)
    JOIN catalog_modelendpoint e ON e.id = ru.endpoint_id
    UNION ALL
    -- team named by a tag value (case-insensitive)
    SELECT t.line_item_id, NULL, tm.id, ru.evidence, ru.rule_ref,
           ru.class_rank, ru.priority, ru.kind_rank
    FROM attr_li_tag t
    JOIN attr_rule ru ON ru.kind = 'team_tag' AND ru.tag_key = t.key
    JOIN accounts_team tm ON lower(tm.name) = lower(t.value)
) m
ORDER BY line_item_id, class_rank, priority, kind_rank, endpoint_id NULLS LAST, rule_ref;

ANALYZE attr_direct;
