-- Staging table for one import, private to this database session (TEMP: no WAL, no locks
-- seen by readers). Columns follow apps.billing.parsers.common.LEDGER_SCHEMA, in COPY order.
-- No parameters. Safe to run twice: created if absent, emptied before each import.
CREATE TEMP TABLE IF NOT EXISTS billing_stage_line_item (
    source_row bigint NOT NULL,
    provider text NOT NULL,
    billing_account_id text NOT NULL,
    sub_account_id text NOT NULL,
    billing_period_start date NOT NULL,
    charge_period_start timestamptz NOT NULL,
    charge_period_end timestamptz NOT NULL,
    charge_category text NOT NULL,
    charge_class text NOT NULL,
    billed_cost numeric(38, 24) NOT NULL,
    effective_cost numeric(38, 24) NOT NULL,
    list_cost numeric(38, 24) NOT NULL,
    contracted_cost numeric(38, 24),
    billing_currency text NOT NULL,
    pricing_category text NOT NULL,
    pricing_quantity numeric(38, 24),
    pricing_unit text NOT NULL,
    consumed_quantity numeric(38, 24),
    consumed_unit text NOT NULL,
    service_name text NOT NULL,
    service_category text NOT NULL,
    sku_id text NOT NULL,
    resource_id text NOT NULL,
    resource_name text NOT NULL,
    resource_type text NOT NULL,
    region text NOT NULL,
    instance_type text NOT NULL,
    commitment_discount_id text NOT NULL,
    tags jsonb NOT NULL
);
TRUNCATE billing_stage_line_item;
