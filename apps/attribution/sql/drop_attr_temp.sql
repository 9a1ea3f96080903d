-- Drop this run's temporary tables (they are ON COMMIT DROP, but a run nested in an outer
-- transaction, or two runs in one transaction, must not see a previous run's tables).
DROP TABLE IF EXISTS attr_li, attr_rule, attr_li_tag, attr_resource_ids, attr_resource_match, attr_direct,
    attr_usage, attr_used, attr_reporting, attr_class, attr_part_raw, attr_part, attr_shared_rule,
    attr_shared_pct, attr_team_direct, attr_shared_match, attr_shared_group, attr_daily;
