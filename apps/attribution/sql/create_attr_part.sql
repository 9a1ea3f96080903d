-- Shared-cost split groups before rounding (attr_part_raw) and the shared and unallocated parts
-- (attr_part) before they are stored. A split group (group_id, grp) is a day's matches of one
-- shared-cost rule (group_id < 0, line_item_id null), whose base amounts are split by weight.
-- Direct and telemetry parts are written straight to attribution_allocationpart.
CREATE TEMP TABLE attr_part_raw (
    group_id bigint NOT NULL,
    grp text NOT NULL,
    line_item_id bigint,
    line_items int NOT NULL,
    day date NOT NULL,
    currency text NOT NULL,
    endpoint_id bigint,
    team_id bigint,
    category text NOT NULL,
    evidence text NOT NULL,
    rule_ref text NOT NULL,
    pool_resource_id text NOT NULL,
    weight numeric,
    base_billed numeric NOT NULL,
    base_effective numeric NOT NULL,
    base_list numeric NOT NULL
) ON COMMIT DROP;

CREATE TEMP TABLE attr_part (
    line_item_id bigint,
    line_items int NOT NULL,
    day date NOT NULL,
    currency text NOT NULL,
    endpoint_id bigint,
    team_id bigint,
    category text NOT NULL,
    evidence text NOT NULL,
    rule_ref text NOT NULL,
    pool_resource_id text NOT NULL,
    weight numeric,
    weight_total numeric,
    billed_cost numeric NOT NULL,
    effective_cost numeric NOT NULL,
    list_cost numeric NOT NULL
) ON COMMIT DROP;

-- Daily sums of the parts as they are stored (parts = how many), the source of the daily
-- allocations and of the teams' direct cost for shared-cost rules.
CREATE TEMP TABLE attr_daily (
    day date NOT NULL,
    currency text NOT NULL,
    endpoint_id bigint,
    team_id bigint,
    category text NOT NULL,
    evidence text NOT NULL,
    parts bigint NOT NULL,
    line_items bigint NOT NULL,
    billed_cost numeric NOT NULL,
    effective_cost numeric NOT NULL,
    list_cost numeric NOT NULL
) ON COMMIT DROP;
