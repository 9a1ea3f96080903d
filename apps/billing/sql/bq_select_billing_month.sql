-- BigQuery (GoogleSQL), not PostgreSQL: one invoice month of a GCP billing export table.
-- Filled in by apps.billing.bigquery.month_query: the select list is built from the table's
-- own schema (columns the ledger uses, nested leaves re-packed as STRUCTs so the result keeps
-- the export's dotted names), the table is the validated `project.dataset.table`, and the
-- partition filter bounds the partition column (absent for an unpartitioned table).
-- Values are query parameters: @invoice_month (YYYYMM), @partition_start, @partition_end.
-- Read-only; the ledger slice it feeds is keyed by (source, billing account, invoice month).
SELECT
  {columns}
FROM `{table}`
WHERE invoice.month = @invoice_month{partition_filter}
