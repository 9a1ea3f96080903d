"""Attribution benchmark: allocate one month of a large ledger, beside a copy of that ledger.

    DATABASE_URL=postgres://… REDIS_URL=redis://… \\
        .venv/bin/python -m bench.attribution_allocate --ledger-rows 1000000 --requests 100000000

1. Creates a fresh database (``<DATABASE_URL name>_bench_attr``) and migrates it.
2. Generates, in SQL, a month (2024-01) for ``--endpoints`` endpoints in 20 teams:
   GPU instances billed hourly (a third tagged with their endpoint, a third matched by a
   catalog resource rule, a third shared pools used by four endpoints each), plus network,
   storage, support and tax rows, ``--ledger-rows`` in all; telemetry rollups for the GPU
   instances carrying ``--requests`` requests in all (two customers per endpoint-hour), at
   70-95%% utilization, and shared-cost rules for tax (proportional) and support (even).
3. Times ``period_allocate`` for the month, and samples the peak RSS of this process and of
   the PostgreSQL backend serving it.
4. Baseline in the same run: ``CREATE TABLE … AS SELECT`` of the month's ledger rows (one
   copy of the input), timed on the same server.
5. With ``--recompute``, times a second allocation of the month, which replaces the first.
Prints the figures; the database is dropped at the end unless ``--keep-db``.
"""

import argparse
import os
import resource
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg

GENERATE_SQL = """
INSERT INTO accounts_team (name, cost_center, contact_email, slack_webhook_url, timezone,
                           created_at)
SELECT 'team-' || t, 'CC-' || t, 'team' || t || '@example.com', '', 'UTC', now()
FROM generate_series(1, 20) t;

INSERT INTO catalog_pricebookentry (provider, instance_type, region, gpu_model,
    gpus_per_instance, gpu_memory_gb, supports_fp8, currency, on_demand_hourly, source,
    source_date, updated_at)
VALUES ('aws', 'g5.xlarge', 'us-east-1', 'A10G', 1, 24, false, 'USD', 1.006, 'bench',
        '2025-01-15', now()),
       ('aws', 'g5.12xlarge', 'us-east-1', 'A10G', 4, 24, false, 'USD', 5.672, 'bench',
        '2025-01-15', now());

INSERT INTO catalog_modelendpoint (name, team_id, model_family, parameter_count, precision,
    serving_framework, accelerator_type, accelerator_count, instance_type, provider, region,
    pricing_category, lanes, is_interruption_tolerant, is_active, created_at, updated_at)
SELECT 'ep-' || e, (SELECT id FROM accounts_team ORDER BY id OFFSET (e %% 20) LIMIT 1),
       'llama', 8000000000, 'bf16', 'vllm', 'A10G', 1, 'g5.xlarge', 'aws', 'us-east-1',
       'on_demand', '{interactive}', false, true, now(), now()
FROM generate_series(0, %(endpoints)s - 1) e;

INSERT INTO catalog_attributionrule (endpoint_id, kind, tag_key, values, pattern, priority,
                                     created_at)
SELECT id, 'resource', '', '{}', 'i-rule-' || substr(name, 4) || '-*', 100, now()
FROM catalog_modelendpoint;

INSERT INTO billing_billingsource (name, uri, created_at) VALUES ('bench', '', now());
INSERT INTO billing_billingimport (source_id, status, format, file_names, file_paths, sha256,
    rows_done, billing_periods, source_totals, stored_totals, error, triggered_by, created_at,
    location, note)
SELECT id, 'succeeded', 'cur', '[]', '[]', '{}', 0, '[]', '{}', '{}', '', 'bench', now(), '', ''
FROM billing_billingsource;

-- GPU resources: r = 0 .. resources-1; kind r %% 3: 0 tagged, 1 rule, 2 shared pool (4 GPUs).
CREATE TEMP TABLE bench_resource AS
SELECT r,
       CASE r %% 3 WHEN 0 THEN 'i-tag-' || r
                   WHEN 1 THEN 'i-rule-' || (r %% %(endpoints)s) || '-' || r
                   ELSE 'i-pool-' || r END AS resource_id,
       r %% %(endpoints)s AS endpoint_no,
       r %% 3 AS kind
FROM generate_series(0, %(resources)s - 1) r;

INSERT INTO billing_costlineitem (source_id, import_run_id, source_row, provider,
    billing_account_id, sub_account_id, billing_period_start, charge_period_start,
    charge_period_end, charge_date, charge_category, charge_class, billed_cost, effective_cost,
    list_cost, billing_currency, pricing_category, consumed_quantity, consumed_unit,
    service_name, service_category, sku_id, resource_id, resource_name, resource_type, region,
    instance_type, commitment_discount_id, tags, pricing_unit)
SELECT (SELECT id FROM billing_billingsource), (SELECT id FROM billing_billingimport),
       row_number() OVER (), 'AWS', '999', '111', '2024-01-01', h, h + interval '1 hour',
       h::date, 'Usage', '',
       CASE WHEN res.kind = 2 THEN 5.672 ELSE 1.006 END,
       CASE WHEN res.kind = 2 THEN 3.5 ELSE 0.65 END,
       CASE WHEN res.kind = 2 THEN 5.672 ELSE 1.006 END,
       'USD', 'On-Demand', 1, 'Hrs', 'Amazon Elastic Compute Cloud', 'Compute', 'BoxUsage',
       res.resource_id, '', 'instance', 'us-east-1',
       CASE WHEN res.kind = 2 THEN 'g5.12xlarge' ELSE 'g5.xlarge' END, '',
       CASE WHEN res.kind = 0 THEN jsonb_build_object('costgov:endpoint', 'ep-' || res.endpoint_no)
            ELSE '{}'::jsonb END, 'Hrs'
FROM bench_resource res
CROSS JOIN generate_series(timestamptz '2024-01-01', timestamptz '2024-01-31 23:00',
                           interval '1 hour') h;

-- Other rows: network (shared by team rule), storage, support, tax; up to the ledger size.
INSERT INTO billing_costlineitem (source_id, import_run_id, source_row, provider,
    billing_account_id, sub_account_id, billing_period_start, charge_period_start,
    charge_period_end, charge_date, charge_category, charge_class, billed_cost, effective_cost,
    list_cost, billing_currency, pricing_category, service_name, service_category, sku_id,
    resource_id, resource_name, resource_type, region, instance_type, commitment_discount_id,
    tags, consumed_unit, pricing_unit)
SELECT (SELECT id FROM billing_billingsource), (SELECT id FROM billing_billingimport), n, 'AWS',
       '999', '111', '2024-01-01', timestamptz '2024-01-01' + (n %% 744) * interval '1 hour',
       timestamptz '2024-01-01' + (n %% 744 + 1) * interval '1 hour',
       (timestamptz '2024-01-01' + (n %% 744) * interval '1 hour')::date,
       CASE n %% 4 WHEN 3 THEN 'Tax' ELSE 'Usage' END, '',
       0.0123 + (n %% 97) / 1000.0, 0.0123 + (n %% 97) / 1000.0, 0.0123 + (n %% 97) / 1000.0,
       'USD', 'On-Demand',
       CASE n %% 4 WHEN 0 THEN 'Data Transfer' WHEN 1 THEN 'Amazon S3' WHEN 2 THEN 'AWS Support'
            ELSE 'Tax' END,
       CASE n %% 4 WHEN 0 THEN 'Networking' WHEN 1 THEN 'Storage' ELSE '' END, 'x',
       CASE n %% 4 WHEN 1 THEN 'bucket-' || (n %% 50) ELSE '' END, '', '', 'us-east-1', '', '',
       '{}'::jsonb, '', ''
FROM generate_series(
    1, GREATEST(0, %(ledger_rows)s - (SELECT COUNT(*) FROM billing_costlineitem))
) n;

-- Telemetry rollups: per GPU resource-hour, the owning endpoint (tagged/rule) or four
-- endpoints (pool), two customers each; GPU-seconds at 70-95%% of capacity.
INSERT INTO telemetry_telemetryrolluphourly (hour, endpoint_id, model_version, lane, accelerator,
    resource_id, customer, requests, errors, timeouts, input_tokens, output_tokens,
    cached_input_tokens, latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts,
    latency_histogram, updated_at)
SELECT h, ep.id, 'v1', 'interactive', 'A10G', res.resource_id, 'cust-' || c,
       %(requests_per_row)s, 0, 0, %(requests_per_row)s * 700, %(requests_per_row)s * 150, 0,
       %(requests_per_row)s * 400,
       CASE WHEN res.kind = 2 THEN 4 ELSE 1 END * 3600000
           * (0.70 + (res.r %% 26) / 100.0) / (CASE WHEN res.kind = 2 THEN 4 ELSE 1 END * 2),
       0, 0, '{}', now()
FROM bench_resource res
CROSS JOIN generate_series(timestamptz '2024-01-01', timestamptz '2024-01-31 23:00',
                           interval '1 hour') h
CROSS JOIN generate_series(0, CASE WHEN res.kind = 2 THEN 3 ELSE 0 END) k
CROSS JOIN generate_series(0, 1) c
JOIN catalog_modelendpoint ep ON ep.name = 'ep-' || ((res.endpoint_no + k * 7) %% %(endpoints)s);

INSERT INTO attribution_sharedcostrule (name, priority, match_charge_category,
    match_service_category, match_service_name, method, percentages, is_active, created_at,
    updated_at)
VALUES ('tax', 10, 'Tax', '', '', 'proportional', '{}', true, now(), now()),
       ('support', 20, '', '', 'AWS Support', 'even', '{}', true, now(), now());

ANALYZE;
"""


def _urls(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") + "_bench_attr"
    admin = urlunsplit(parts._replace(path="/postgres"))
    bench = urlunsplit(parts._replace(path="/" + name))
    return admin, bench, name


class PeakRss(threading.Thread):
    """Samples a process's RSS every 100 ms and keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger-rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100_000_000)
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--recompute", action="store_true")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/costgov")
    admin_url, bench_url, name = _urls(base)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "costgov.settings")
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from apps.attribution.services.period_allocate import period_allocate

    try:
        call_command("migrate", verbosity=0)
        hours = 744
        gpu_rows_target = int(args.ledger_rows * 0.864)
        resources = max(3, gpu_rows_target // hours)
        # rollup rows: resources/3 x 2 (tag, rule) x 2 customers + resources/3 x 4 x 2 (pools)
        rollup_rows = hours * ((resources * 2 // 3) * 2 + (resources // 3) * 8)
        requests_per_row = max(1, args.requests // max(1, rollup_rows))
        params = {
            "endpoints": args.endpoints,
            "resources": resources,
            "ledger_rows": args.ledger_rows,
            "requests_per_row": requests_per_row,
        }
        started = time.perf_counter()
        with connection.cursor() as cur:
            from apps.common.sql import split_statements

            for statement in split_statements(GENERATE_SQL):
                cur.execute(statement, params)
            cur.execute("SELECT COUNT(*) FROM billing_costlineitem")
            ledger_rows = cur.fetchone()[0]
            cur.execute("SELECT COUNT(*), SUM(requests) FROM telemetry_telemetryrolluphourly")
            rollups, requests = cur.fetchone()
            cur.execute("SELECT pg_backend_pid()")
            backend_pid = cur.fetchone()[0]
        generated_s = time.perf_counter() - started
        print(
            f"generated in {generated_s:.1f}s: {ledger_rows:,} ledger rows, {rollups:,} rollup"
            f" rows carrying {requests:,} requests, {args.endpoints} endpoints",
            flush=True,
        )

        backend = PeakRss(backend_pid)
        backend.start()
        started = time.perf_counter()
        run = period_allocate(period_start=date(2024, 1, 1), triggered_by="bench")
        allocate_s = time.perf_counter() - started
        backend.stop.set()
        backend.join()
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE bench_ledger_copy AS SELECT * FROM billing_costlineitem"
                " WHERE billing_period_start = '2024-01-01'"
            )
        copy_s = time.perf_counter() - started

        print(
            f"allocation run {run.id}: {run.status}, {run.ledger_rows:,} ledger rows ->"
            f" {run.part_rows:,} parts, conserved: {run.ledger_totals == run.allocated_totals}"
        )
        print(f"allocate: {allocate_s:.1f}s ({run.ledger_rows / allocate_s:,.0f} ledger rows/s)")
        print(f"baseline CREATE TABLE AS copy of the ledger: {copy_s:.1f}s")
        print(f"ratio allocate / copy: {allocate_s / copy_s:.1f}x")
        print(
            f"peak RSS: python {own_peak / 2**20:.0f} MiB,"
            f" PostgreSQL backend {backend.peak / 2**20:.0f} MiB"
        )
        if args.recompute:
            backend = PeakRss(backend_pid)
            backend.start()
            started = time.perf_counter()
            again = period_allocate(period_start=date(2024, 1, 1), triggered_by="bench")
            recompute_s = time.perf_counter() - started
            backend.stop.set()
            backend.join()
            print(
                f"recompute run {again.id}: {again.status}, {again.part_rows:,} parts,"
                f" conserved: {again.ledger_totals == again.allocated_totals}:"
                f" {recompute_s:.1f}s, PostgreSQL backend peak {backend.peak / 2**20:.0f} MiB"
            )
        return 0
    finally:
        connection.close()
        if not args.keep_db:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
