-- Split every pending group of attr_part_raw into attr_part, exactly.
-- Parameters: none. Each row gets round(base x weight / total, 24); the group's residue goes to
-- its largest weight (ties: lowest endpoint id, then team id, unallocated last), so parts sum to
-- the base exactly. A group whose weights sum to zero splits evenly.
INSERT INTO attr_part
SELECT line_item_id, line_items, day, currency, endpoint_id, team_id, category, evidence,
       rule_ref, pool_resource_id, weight, weight_total,
       raw_billed + CASE WHEN rn = 1 THEN base_billed - SUM(raw_billed) OVER g ELSE 0 END,
       raw_effective + CASE WHEN rn = 1 THEN base_effective - SUM(raw_effective) OVER g ELSE 0 END,
       raw_list + CASE WHEN rn = 1 THEN base_list - SUM(raw_list) OVER g ELSE 0 END
FROM (
    SELECT r.*,
           round(r.base_billed * r.eff_w / r.eff_total, 24) AS raw_billed,
           round(r.base_effective * r.eff_w / r.eff_total, 24) AS raw_effective,
           round(r.base_list * r.eff_w / r.eff_total, 24) AS raw_list,
           row_number() OVER (
               PARTITION BY r.group_id, r.grp
               ORDER BY r.eff_w DESC, r.endpoint_id NULLS LAST, r.team_id NULLS LAST
           ) AS rn
    FROM (
        SELECT x.*,
               CASE WHEN x.total_w > 0 THEN COALESCE(x.weight, 0) ELSE 1 END AS eff_w,
               CASE WHEN x.total_w > 0 THEN x.total_w ELSE x.n END AS eff_total,
               CASE WHEN x.weight IS NULL THEN NULL ELSE x.total_w END AS weight_total
        FROM (
            SELECT p.*,
                   COALESCE(SUM(p.weight) OVER w, 0) AS total_w,
                   COUNT(*) OVER w AS n
            FROM attr_part_raw p
            WINDOW w AS (PARTITION BY p.group_id, p.grp)
        ) x
    ) r
) s
WINDOW g AS (PARTITION BY group_id, grp);

TRUNCATE attr_part_raw;
