-- Unclaimed rows of resources with measured use: split over the endpoints that used them.
-- Parameters: by_tokens (bool: weight by tokens instead of GPU-seconds).
-- Weights: hourly rows join their hour directly (hash join); other rows sum the hours of their
-- charge window.
CREATE TEMP TABLE attr_weight ON COMMIT DROP AS
SELECT c.id AS line_item_id, u.endpoint_id,
       CASE WHEN %(by_tokens)s THEN u.tokens ELSE u.gpu_s END AS weight
FROM attr_class c
JOIN attr_usage u ON u.resource_id = c.resource_id AND u.hour = c.start_at
WHERE c.d_evidence IS NULL AND c.has_usage AND c.is_hourly
UNION ALL
SELECT c.id, u.endpoint_id,
       SUM(CASE WHEN %(by_tokens)s THEN u.tokens ELSE u.gpu_s END)
FROM attr_class c
JOIN attr_usage u
  ON u.resource_id = c.resource_id
 AND u.hour >= date_trunc('hour', c.start_at)
 AND u.hour < c.end_at
WHERE c.d_evidence IS NULL AND c.has_usage AND NOT c.is_hourly
GROUP BY c.id, u.endpoint_id;

INSERT INTO attr_part_raw
SELECT c.id, cat.category, c.id, 1, c.day, c.currency, w.endpoint_id, e.team_id, cat.category,
       'telemetry', 'pool:' || c.resource_id, c.resource_id, w.weight,
       CASE cat.category WHEN 'usage' THEN c.use_billed ELSE c.billed_cost - c.use_billed END,
       CASE cat.category WHEN 'usage' THEN c.use_effective
            ELSE c.effective_cost - c.use_effective END,
       CASE cat.category WHEN 'usage' THEN c.use_list ELSE c.list_cost - c.use_list END
FROM attr_weight w
JOIN attr_class c ON c.id = w.line_item_id
JOIN catalog_modelendpoint e ON e.id = w.endpoint_id
CROSS JOIN (VALUES ('usage'), ('idle')) AS cat(category)
WHERE cat.category = 'usage' OR c.split_idle;
