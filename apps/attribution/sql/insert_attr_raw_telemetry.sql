-- Unclaimed rows of resources with measured use: split over the endpoints that used them.
-- Parameters: by_tokens (bool: weight by tokens instead of GPU-seconds).
-- Hourly rows join their hour directly; other rows sum the hours in their charge window.
INSERT INTO attr_part_raw
SELECT c.id, cat.category, c.id, 1, c.day, c.currency, w.endpoint_id, e.team_id, cat.category,
       'telemetry', 'pool:' || c.resource_id, c.resource_id, w.weight,
       CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END,
       CASE cat.category WHEN 'usage' THEN c.use_effective
            ELSE c.effective_cost - c.use_effective END,
       CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END
FROM attr_class c
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
JOIN (
    SELECT resource_id, hour, endpoint_id,
           CASE WHEN %(by_tokens)s THEN tokens ELSE gpu_s END AS weight
    FROM attr_usage
) w ON w.resource_id = c.resource_id AND w.hour = c.start_at
JOIN catalog_modelendpoint e ON e.id = w.endpoint_id
WHERE c.d_evidence IS NULL AND c.has_usage AND c.is_hourly
  AND (cat.category = 'usage' OR c.split_idle);

INSERT INTO attr_part_raw
SELECT c.id, cat.category, c.id, 1, c.day, c.currency, w.endpoint_id, e.team_id, cat.category,
       'telemetry', 'pool:' || c.resource_id, c.resource_id, w.weight,
       CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END,
       CASE cat.category WHEN 'usage' THEN c.use_effective
            ELSE c.effective_cost - c.use_effective END,
       CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END
FROM attr_class c
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
CROSS JOIN LATERAL (
    SELECT u.endpoint_id,
           SUM(CASE WHEN %(by_tokens)s THEN u.tokens ELSE u.gpu_s END) AS weight
    FROM attr_usage u
    WHERE u.resource_id = c.resource_id
      AND u.hour >= date_trunc('hour', c.start_at)
      AND u.hour < c.end_at
    GROUP BY u.endpoint_id
) w
JOIN catalog_modelendpoint e ON e.id = w.endpoint_id
WHERE c.d_evidence IS NULL AND c.has_usage AND NOT c.is_hourly
  AND (cat.category = 'usage' OR c.split_idle);
