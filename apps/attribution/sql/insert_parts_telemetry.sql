-- Unclaimed rows of resources with measured use: split over the endpoints that used them.
-- Parameters: by_tokens (bool: weight by tokens instead of GPU time), period (date), run_id.
-- Weights are equality hash joins on (resource, hour): an hourly row joins its hour, any other
-- row sums the clock hours of its charge window. A row's usage and its idle are two split
-- groups with the same weights. Each receiver gets round(base x weight / total, 24) and the
-- group's residue goes to its largest weight (ties: lowest endpoint id), so the parts sum to
-- the base exactly; weights that sum to zero split evenly. One sort by (row, weight desc,
-- endpoint) serves every window. Weights are summed as integers (GPU microseconds or tokens)
-- and stored as GPU-seconds (or tokens). The exact
-- amounts are materialized once, stored as parts and summed per day into attr_daily.
WITH weights AS (
    SELECT p.id, p.day, p.currency, p.resource_id, p.split_idle,
           p.use_billed, p.use_effective, p.use_list,
           p.billed_cost - p.use_billed AS idle_billed,
           p.effective_cost - p.use_effective AS idle_effective,
           p.list_cost - p.use_list AS idle_list,
           u.endpoint_id, CASE WHEN %(by_tokens)s THEN u.tokens ELSE u.gpu_us END AS w
    FROM attr_class p
    JOIN attr_usage u ON u.resource_id = p.resource_id AND u.hour = p.start_at
    WHERE p.d_evidence IS NULL AND p.has_usage AND p.is_hourly
    UNION ALL
    SELECT p.id, p.day, p.currency, p.resource_id, p.split_idle,
           p.use_billed, p.use_effective, p.use_list,
           p.billed_cost - p.use_billed,
           p.effective_cost - p.use_effective,
           p.list_cost - p.use_list,
           u.endpoint_id, SUM(CASE WHEN %(by_tokens)s THEN u.tokens ELSE u.gpu_us END)
    FROM attr_class p
    CROSS JOIN LATERAL generate_series(
        date_trunc('hour', p.start_at), p.end_at - interval '1 microsecond', interval '1 hour'
    ) AS h(hour)
    JOIN attr_usage u ON u.resource_id = p.resource_id AND u.hour = h.hour
    WHERE p.d_evidence IS NULL AND p.has_usage AND NOT p.is_hourly
    GROUP BY p.id, p.day, p.currency, p.resource_id, p.split_idle, p.billed_cost,
             p.effective_cost, p.list_cost, p.use_billed, p.use_effective, p.use_list,
             u.endpoint_id
), ranked AS (
    SELECT w.*, e.team_id,
           SUM(w.w) OVER g AS total,
           COUNT(*) OVER g AS n,
           row_number() OVER (g ORDER BY w.w DESC, w.endpoint_id) AS rn
    FROM weights w
    JOIN catalog_modelendpoint e ON e.id = w.endpoint_id
    WINDOW g AS (PARTITION BY w.id)
), shares AS (
    SELECT id, day, currency, resource_id, split_idle, endpoint_id, team_id, w, total, rn,
           use_billed, use_effective, use_list, idle_billed, idle_effective, idle_list,
           round(use_billed * eff_w / eff_total, 24) AS u_billed,
           round(use_effective * eff_w / eff_total, 24) AS u_effective,
           round(use_list * eff_w / eff_total, 24) AS u_list,
           round(idle_billed * eff_w / eff_total, 24) AS i_billed,
           round(idle_effective * eff_w / eff_total, 24) AS i_effective,
           round(idle_list * eff_w / eff_total, 24) AS i_list
    FROM (
        SELECT ranked.*,
               CASE WHEN total > 0 THEN w ELSE 1 END AS eff_w,
               CASE WHEN total > 0 THEN total ELSE n END AS eff_total
        FROM ranked
    ) r
), exact AS MATERIALIZED (
    SELECT id, day, currency, resource_id, split_idle, endpoint_id, team_id,
           'pool:' || resource_id AS rule_ref,
           CASE WHEN %(by_tokens)s THEN w ELSE w * 0.000001 END AS weight,
           CASE WHEN %(by_tokens)s THEN total ELSE total * 0.000001 END AS weight_total,
           u_billed + CASE WHEN rn = 1 THEN use_billed - SUM(u_billed) OVER g ELSE 0 END
               AS usage_billed,
           u_effective + CASE WHEN rn = 1 THEN use_effective - SUM(u_effective) OVER g ELSE 0 END
               AS usage_effective,
           u_list + CASE WHEN rn = 1 THEN use_list - SUM(u_list) OVER g ELSE 0 END AS usage_list,
           i_billed + CASE WHEN rn = 1 THEN idle_billed - SUM(i_billed) OVER g ELSE 0 END
               AS idle_billed,
           i_effective + CASE WHEN rn = 1 THEN idle_effective - SUM(i_effective) OVER g ELSE 0 END
               AS idle_effective,
           i_list + CASE WHEN rn = 1 THEN idle_list - SUM(i_list) OVER g ELSE 0 END AS idle_list
    FROM shares
    WINDOW g AS (PARTITION BY id)
), stored AS (
    INSERT INTO attribution_allocationpart (
        run_id, billing_period_start, line_item_id, line_items, day, currency, endpoint_id,
        team_id, category, evidence, rule_ref, pool_resource_id, weight, weight_total,
        billed_cost, effective_cost, list_cost
    )
    SELECT %(run_id)s, %(period)s, x.id, 1, x.day, x.currency, x.endpoint_id, x.team_id,
           cat.category, 'telemetry', x.rule_ref, x.resource_id, x.weight, x.weight_total,
           cat.billed, cat.effective, cat.list
    FROM exact x
    CROSS JOIN LATERAL (
        VALUES ('usage', x.usage_billed, x.usage_effective, x.usage_list),
               ('idle', x.idle_billed, x.idle_effective, x.idle_list)
    ) AS cat(category, billed, effective, list)
    WHERE cat.category = 'usage' OR x.split_idle
)
INSERT INTO attr_daily
SELECT g.day, g.currency, g.endpoint_id, g.team_id, cat.category, 'telemetry',
       cat.n, cat.n, cat.billed, cat.effective, cat.list
FROM (
    SELECT day, currency, endpoint_id, team_id, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE split_idle) AS n_idle,
           SUM(usage_billed) AS ub, SUM(usage_effective) AS ue, SUM(usage_list) AS ul,
           SUM(idle_billed) FILTER (WHERE split_idle) AS ib,
           SUM(idle_effective) FILTER (WHERE split_idle) AS ie,
           SUM(idle_list) FILTER (WHERE split_idle) AS il
    FROM exact
    GROUP BY day, currency, endpoint_id, team_id
) g
CROSS JOIN LATERAL (
    VALUES ('usage', g.n, g.ub, g.ue, g.ul), ('idle', g.n_idle, g.ib, g.ie, g.il)
) AS cat(category, n, billed, effective, list)
WHERE cat.n > 0;
