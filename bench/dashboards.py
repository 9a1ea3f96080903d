"""Dashboards and reports benchmark: p95 latency under 20 concurrent clients, beside /healthz.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python -m bench.dashboards

1. Creates a fresh database (``<DATABASE_URL name>_bench_reports``) and migrates it.
2. Generates, in SQL, one year (2024) of demo-like data for ``--endpoints`` endpoints in 20 teams:
   daily allocations per endpoint (usage and idle, billed < list, effective < billed), a shared
   row per team-day and an unallocated row per day, one succeeded allocation run per month with
   its rule set, shared-cost allocation parts per team and month, hourly telemetry rollups per
   endpoint, a budget per team and month and one per endpoint of team 0, and January closed.
3. Starts gunicorn (2 workers x 4 threads) on a free 127.0.0.1 port against that database.
4. For each URL: one request alone on an empty report cache ("cold"), a warm-up pass, then
   ``--requests`` GETs from ``--clients`` threads (each with a logged-in session and a keep-alive
   connection); reports p50, p95, max and requests/s, with ``/healthz`` measured the same way as
   the baseline.
Exits non-zero if any page's p95 is over ``--budget-ms``. The database is dropped at the end
unless ``--keep-db``.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent

GENERATE_SQL = """
INSERT INTO accounts_team (name, cost_center, contact_email, slack_webhook_url, timezone,
                           created_at)
SELECT 'team-' || t, 'CC-' || (t %% 8), 'team' || t || '@example.com', '', 'UTC', now()
FROM generate_series(0, 19) t;

INSERT INTO catalog_modelendpoint (name, team_id, model_family, parameter_count, precision,
    serving_framework, accelerator_type, accelerator_count, instance_type, provider, region,
    pricing_category, lanes, is_interruption_tolerant, is_active, created_at, updated_at)
SELECT 'ep-' || e, (SELECT id FROM accounts_team WHERE name = 'team-' || (e %% 20)),
       'llama', 8000000000, 'bf16', 'vllm', 'A10G', 1, 'g5.xlarge', 'aws', 'us-east-1',
       'on_demand', '{interactive}', false, true, now(), now()
FROM generate_series(0, %(endpoints)s - 1) e;

INSERT INTO attribution_ruleset (sha256, content, created_at)
VALUES (repeat('a', 64), '{"bench": true}', now());

INSERT INTO attribution_allocationrun (billing_period_start, status, ledger_rows, part_rows,
    ledger_totals, allocated_totals, error, triggered_by, started_at, finished_at, rule_set_id)
SELECT m::date, 'succeeded', 0, 0, '{}', '{}', '', 'bench', now(), now(),
       (SELECT id FROM attribution_ruleset)
FROM generate_series(date '2024-01-01', date '2024-12-01', interval '1 month') m;

-- Endpoint-days: usage with a weekly pattern and a per-endpoint level, idle 5-25%% of it.
CREATE TEMP TABLE bench_day AS
SELECT d::date AS day, date_trunc('month', d)::date AS period, e.id AS endpoint_id,
       e.team_id,
       round((20 + (e.id %% 37) * 3) * (CASE WHEN extract(isodow FROM d) > 5 THEN 0.6 ELSE 1 END)
             * (1 + extract(doy FROM d) / 730.0), 6)::numeric AS usage_cost,
       (0.05 + (e.id %% 5) * 0.05)::numeric AS idle_share
FROM generate_series(date '2024-01-01', date '2024-12-31', interval '1 day') d
CROSS JOIN catalog_modelendpoint e;

INSERT INTO attribution_costallocation (run_id, billing_period_start, day, currency, endpoint_id,
    team_id, category, evidence, line_items, billed_cost, effective_cost, list_cost)
SELECT r.id, b.period, b.day, 'USD', b.endpoint_id, b.team_id, c.category,
       CASE c.category WHEN 'usage' THEN 'telemetry' ELSE 'endpoint_tag' END, 24,
       c.amount, c.amount * 0.85, c.amount * 1.25
FROM bench_day b
JOIN attribution_allocationrun r ON r.billing_period_start = b.period
CROSS JOIN LATERAL (VALUES ('usage', b.usage_cost),
                           ('idle', round(b.usage_cost * b.idle_share, 6))) c(category, amount);

INSERT INTO attribution_costallocation (run_id, billing_period_start, day, currency, endpoint_id,
    team_id, category, evidence, line_items, billed_cost, effective_cost, list_cost)
SELECT r.id, b.period, b.day, 'USD', NULL, b.team_id, 'shared', 'shared_rule', 3,
       round(SUM(b.usage_cost) * 0.04, 6), round(SUM(b.usage_cost) * 0.04, 6),
       round(SUM(b.usage_cost) * 0.04, 6)
FROM bench_day b JOIN attribution_allocationrun r ON r.billing_period_start = b.period
GROUP BY r.id, b.period, b.day, b.team_id;

INSERT INTO attribution_costallocation (run_id, billing_period_start, day, currency, endpoint_id,
    team_id, category, evidence, line_items, billed_cost, effective_cost, list_cost)
SELECT r.id, r.billing_period_start, d::date, 'USD', NULL, NULL, 'unallocated', 'none', 5,
       41.5, 41.5, 41.5
FROM attribution_allocationrun r
CROSS JOIN generate_series(r.billing_period_start,
                           (r.billing_period_start + interval '1 month - 1 day'), '1 day') d;

INSERT INTO attribution_allocationpart (run_id, billing_period_start, line_item_id, line_items,
    day, currency, endpoint_id, team_id, category, evidence, rule_ref, pool_resource_id,
    billed_cost, effective_cost, list_cost)
SELECT run_id, billing_period_start, NULL, line_items, day, currency, NULL, team_id, category,
       evidence, 'shared:tax', '', billed_cost, effective_cost, list_cost
FROM attribution_costallocation WHERE category = 'shared';

INSERT INTO telemetry_telemetryrolluphourly (hour, endpoint_id, model_version, lane, accelerator,
    resource_id, customer, requests, errors, timeouts, input_tokens, output_tokens,
    cached_input_tokens, latency_ms_sum, gpu_ms_sum, cache_hits, duplicate_prompts,
    latency_histogram, updated_at)
SELECT h, e.id, 'v1', 'interactive', 'A10G', 'i-' || e.id, 'acme', 300 + e.id %% 50, 1, 0,
       40000 + e.id * 10, 20000 + e.id * 5, 0, 300 * 250, 2800000, 0, 0,
       array_fill(0::bigint, ARRAY[%(buckets)s]), now()
FROM generate_series(timestamptz '2024-01-01 00:00+00', timestamptz '2024-12-31 23:00+00',
                     interval '1 hour') h
CROSS JOIN catalog_modelendpoint e;

INSERT INTO reports_budget (team_id, endpoint_id, period_start, amount, currency, created_at,
                            updated_at)
SELECT t.id, NULL, m::date, 60000, 'USD', now(), now()
FROM accounts_team t
CROSS JOIN generate_series(date '2024-01-01', date '2024-12-01', interval '1 month') m;

INSERT INTO reports_budget (team_id, endpoint_id, period_start, amount, currency, created_at,
                            updated_at)
SELECT e.team_id, e.id, m::date, 4000, 'USD', now(), now()
FROM catalog_modelendpoint e JOIN accounts_team t ON t.id = e.team_id AND t.name = 'team-0'
CROSS JOIN generate_series(date '2024-01-01', date '2024-12-01', interval '1 month') m;

ANALYZE;
"""


def _urls(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") + "_bench_reports"
    admin = urlunsplit(parts._replace(path="/postgres"))
    bench = urlunsplit(parts._replace(path="/" + name))
    return admin, bench, name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(user: object) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


def _load(port: int, path: str, cookie: str, clients: int, requests: int) -> dict:
    """``requests`` GETs of ``path`` spread over ``clients`` threads; latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [
        requests // clients + (1 if i < requests % clients else 0) for i in range(clients)
    ]
    barrier = threading.Barrier(clients + 1)

    def client(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(f"{response.status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "path": path,
        "n": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "max": latencies[-1],
        "rps": len(latencies) / wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure a database kept by --keep-db"
    )
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/costgov")
    admin_url, bench_url, name = _urls(base)
    if not args.reuse_db:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    os.environ["CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "costgov.settings")
    import django

    django.setup()
    from datetime import UTC, date, datetime

    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import Team, User
    from apps.common.sql import split_statements
    from apps.reports.services.statement_close import month_close
    from apps.telemetry.histogram import BUCKET_COUNT

    server = None
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with connection.cursor() as cur:
            if not args.reuse_db:
                for statement in split_statements(GENERATE_SQL):
                    cur.execute(statement, {"endpoints": args.endpoints, "buckets": BUCKET_COUNT})
            cur.execute("SELECT COUNT(*) FROM attribution_costallocation")
            allocations = cur.fetchone()[0]
            cur.execute("SELECT COUNT(*) FROM telemetry_telemetryrolluphourly")
            rollups = cur.fetchone()[0]
        finance, _ = User.objects.get_or_create(
            username="bench-fin", defaults={"email": "fin@example.com", "role": "finance"}
        )
        owner, _ = User.objects.get_or_create(
            username="bench-owner", defaults={"email": "own@example.com", "role": "owner"}
        )
        team = Team.objects.get(name="team-0")
        team.members.add(owner)
        month_close(
            period_start=date(2024, 1, 1), closed_by=finance, now=datetime(2024, 2, 5, tzinfo=UTC)
        )
        print(
            f"generated in {time.perf_counter() - started:.1f}s: {allocations:,} allocation rows,"
            f" {rollups:,} hourly rollups, {args.endpoints} endpoints, 20 teams, January closed",
            flush=True,
        )
        fin_cookie, own_cookie = _session_cookie(finance), _session_cookie(owner)
        connection.close()

        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "costgov.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0"},
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        t = team.id
        targets = [
            ("/healthz", fin_cookie),
            ("/reports/finance?month=2024-12", fin_cookie),
            ("/reports/owner?month=2024-12", own_cookie),
            (f"/reports/statements/{t}/2024-11", own_cookie),
            (f"/reports/statements/{t}/2024-01", own_cookie),
            (f"/reports/weekly/{t}?week=2024-12-02", own_cookie),
            ("/api/v1/reports/finance-summary?month=2024-12", fin_cookie),
            (f"/api/v1/reports/owner-summary?month=2024-12&team={t}", own_cookie),
            ("/api/v1/reports/chargeback?period=2024-11", fin_cookie),
            (f"/api/v1/reports/chargeback?period=2024-11&team={t}&format=csv", own_cookie),
            (f"/api/v1/reports/chargeback?period=2024-11&team={t}&format=xlsx", own_cookie),
            ("/api/v1/reports/budgets?period_start=2024-12-01", fin_cookie),
        ]
        results = []
        for path, cookie in targets:
            # First request on an empty cache (a fresh key prefix per run), alone.
            cold = _load(port, path, cookie, clients=1, requests=1)["max"]
            _load(port, path, cookie, clients=args.clients, requests=args.clients)  # warm-up
            results.append({**_load(port, path, cookie, args.clients, args.requests), "cold": cold})
        print(f"{args.clients} concurrent clients, {args.requests} requests per URL")
        header = ("cold ms", "p50 ms", "p95 ms", "max ms", "req/s")
        print(f"{'URL':<66} " + " ".join(f"{h:>7}" for h in header) + "  err")
        for r in results:
            print(
                f"{r['path']:<66} {r['cold']:7.1f} {r['p50']:7.1f} {r['p95']:7.1f}"
                f" {r['max']:7.1f} {r['rps']:7.1f} {r['errors']:4d}"
            )
        over = [r for r in results[1:] if r["p95"] > args.budget_ms or r["errors"]]
        if over:
            paths = [r["path"] for r in over]
            print(f"over the {args.budget_ms:.0f} ms p95 budget or failing: {paths}")
            return 1
        print(f"every page and API p95 under {args.budget_ms:.0f} ms")
        return 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
