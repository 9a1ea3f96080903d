-- The matching rules of this run, filled by the service from the rule-set snapshot.
-- class_rank: 0 endpoint tag, 1 catalog rule, 2 team tag (strongest evidence first).
CREATE TEMP TABLE attr_rule (
    rule_ref text NOT NULL,
    evidence text NOT NULL,
    kind text NOT NULL,
    class_rank int NOT NULL,
    priority int NOT NULL,
    kind_rank int NOT NULL,
    endpoint_id bigint,
    team_id bigint,
    tag_key text NOT NULL DEFAULT '',
    vals text[] NOT NULL DEFAULT '{}',
    pattern text NOT NULL DEFAULT ''
) ON COMMIT DROP;
