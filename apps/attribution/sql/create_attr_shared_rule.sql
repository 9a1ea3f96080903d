-- Shared-cost rules of this run (filled by the service; globs already turned into LIKE patterns).
CREATE TEMP TABLE attr_shared_rule (
    rule_id bigint NOT NULL,
    name text NOT NULL,
    priority int NOT NULL,
    method text NOT NULL,
    team_id bigint,
    cc_like text NOT NULL,
    sc_like text NOT NULL,
    sn_like text NOT NULL
) ON COMMIT DROP;

CREATE TEMP TABLE attr_shared_pct (
    rule_id bigint NOT NULL,
    team_id bigint NOT NULL,
    pct numeric NOT NULL
) ON COMMIT DROP;
