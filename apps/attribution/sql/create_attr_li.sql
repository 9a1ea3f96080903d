-- Ledger rows of one billing period, with the GPU capacity each represents (for idle cost).
-- Parameters: period (date). Temporary; dropped at commit.
-- capacity_gpu_s: GPU-seconds of capacity bought = GPUs per instance (price book, by instance
-- type) x instance-hours (consumed quantity when its unit is hours, else the charge window).
CREATE TEMP TABLE attr_li ON COMMIT DROP AS
SELECT
    li.id,
    li.charge_date AS day,
    li.billing_currency AS currency,
    li.charge_period_start AS start_at,
    li.charge_period_end AS end_at,
    li.billed_cost,
    li.effective_cost,
    li.list_cost,
    li.resource_id,
    li.sub_account_id,
    li.instance_type,
    li.charge_category,
    li.service_category,
    li.service_name,
    li.charge_period_end - li.charge_period_start = interval '1 hour'
        AND date_trunc('hour', li.charge_period_start) = li.charge_period_start AS is_hourly,
    CASE
        WHEN li.instance_type <> '' AND li.charge_category = 'Usage' AND pb.gpus IS NOT NULL
        THEN pb.gpus * 3600 * COALESCE(
            CASE WHEN li.consumed_unit ILIKE 'h%%' THEN li.consumed_quantity END,
            EXTRACT(EPOCH FROM (li.charge_period_end - li.charge_period_start)) / 3600
        )
    END AS capacity_gpu_s
FROM billing_costlineitem li
LEFT JOIN (
    SELECT instance_type, MIN(gpus_per_instance) AS gpus
    FROM catalog_pricebookentry
    GROUP BY instance_type
) pb ON pb.instance_type = li.instance_type
WHERE li.billing_period_start = %(period)s;

ANALYZE attr_li;
