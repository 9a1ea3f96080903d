-- Remove the source's ledger rows for every (billing account, billing period) slice present in
-- the staging table, so the following INSERT restates those slices whole.
-- Parameters: %(source_id)s. Idempotency key: (source_id, billing_account_id, billing_period_start).
DELETE FROM billing_costlineitem AS li
USING (
    SELECT DISTINCT billing_account_id, billing_period_start FROM billing_stage_line_item
) AS slice
WHERE li.source_id = %(source_id)s
  AND li.billing_account_id = slice.billing_account_id
  AND li.billing_period_start = slice.billing_period_start;
