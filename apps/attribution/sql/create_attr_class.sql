-- Each ledger row with its direct match, its measured use, and how it splits into usage and idle.
-- Parameters: none (reads the temp tables of this run).
-- Use is looked up by (resource, hour): an hourly row joins its hour, any other row is expanded
-- into the clock hours its charge window touches and sums them; both are equality hash joins.
-- Idle applies to GPU capacity rows (capacity_gpu_s known) whose use is measured: the row's
-- endpoint reports telemetry this period, or (no direct match) the resource has telemetry.
-- utilization = min(1, used GPU-seconds / capacity GPU-seconds); the usage part is
-- round(cost x utilization, 24) and the idle part is the rest, so the two sum to the cost.
CREATE TEMP TABLE attr_class ON COMMIT DROP AS
WITH ranged AS (
    SELECT li.id, SUM(u.gpu_us) AS gpu_us
    FROM attr_li li
    CROSS JOIN LATERAL generate_series(
        date_trunc('hour', li.start_at), li.end_at - interval '1 microsecond', interval '1 hour'
    ) AS h(hour)
    JOIN attr_used u ON u.resource_id = li.resource_id AND u.hour = h.hour
    WHERE NOT li.is_hourly AND li.resource_id <> ''
    GROUP BY li.id
), base AS (
    SELECT li.id, li.day, li.currency, li.start_at, li.end_at, li.is_hourly,
           li.billed_cost, li.effective_cost, li.list_cost, li.resource_id,
           li.charge_category, li.service_category, li.service_name, li.capacity_gpu_s,
           d.endpoint_id AS d_endpoint_id,
           d.team_id AS d_team_id,
           d.evidence AS d_evidence,
           d.rule_ref AS d_rule_ref,
           COALESCE(uh.gpu_us, ur.gpu_us) * 0.000001 AS used_gpu_s,
           uh.resource_id IS NOT NULL OR ur.id IS NOT NULL AS has_usage,
           rep.endpoint_id IS NOT NULL AS endpoint_reports
    FROM attr_li li
    LEFT JOIN attr_direct d ON d.line_item_id = li.id
    LEFT JOIN attr_used uh
        ON li.is_hourly AND uh.resource_id = li.resource_id AND uh.hour = li.start_at
    LEFT JOIN ranged ur ON ur.id = li.id
    LEFT JOIN attr_reporting rep ON rep.endpoint_id = d.endpoint_id
), flagged AS (
    SELECT *,
           capacity_gpu_s IS NOT NULL AND capacity_gpu_s > 0 AND (
               (d_endpoint_id IS NOT NULL AND endpoint_reports)
               OR (d_evidence IS NULL AND has_usage)
           ) AS split_idle
    FROM base
), rated AS (
    SELECT *,
           CASE WHEN split_idle
                THEN LEAST(1, COALESCE(used_gpu_s, 0) / capacity_gpu_s) END AS utilization
    FROM flagged
)
SELECT id, day, currency, start_at, end_at, is_hourly, billed_cost, effective_cost, list_cost,
       resource_id, charge_category, service_category, service_name,
       d_endpoint_id, d_team_id, d_evidence, d_rule_ref, has_usage, split_idle,
       CASE WHEN split_idle THEN round(billed_cost * utilization, 24) ELSE billed_cost END
           AS use_billed,
       CASE WHEN split_idle THEN round(effective_cost * utilization, 24) ELSE effective_cost END
           AS use_effective,
       CASE WHEN split_idle THEN round(list_cost * utilization, 24) ELSE list_cost END
           AS use_list
FROM rated;

ANALYZE attr_class;
