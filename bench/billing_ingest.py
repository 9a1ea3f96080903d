"""Billing ingestion benchmark: a generated CUR CSV.gz through ``import_billing``, then a raw COPY.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m bench.billing_ingest --rows 1000000

1. Writes a deterministic legacy-CUR CSV.gz (``--rows`` line items, one month, hourly).
2. Runs ``manage.py import_billing FILE --json`` in a child process: wall time, rows/s and the
   child's peak RSS (the importing process alone).
3. Dumps the rows just stored, already normalised, and COPYs them back into the same table
   (inside a rolled-back transaction): the floor any importer pays to write those rows.
4. Prints the figures as JSON; the import's bench rows are deleted afterwards.
"""

import argparse
import csv
import gzip
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "bench-billing-ingest"
COLUMNS = [
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/BlendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/instanceType",
    "product/region",
    "product/sku",
    "product/productFamily",
    "pricing/publicOnDemandCost",
    "pricing/unit",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/SavingsPlanARN",
    "resourceTags/user:team",
    "resourceTags/user:endpoint",
    "resourceTags/user:env",
]
INSTANCES = [
    ("g5.xlarge", Decimal("1.006")),
    ("g5.12xlarge", Decimal("5.672")),
    ("p4d.24xlarge", Decimal("32.7726")),
    ("g6.2xlarge", Decimal("0.9776")),
    ("inf2.xlarge", Decimal("0.7582")),
]
TEAMS = ["search", "assistant", "ranking", "vision", ""]


def generate(path: Path, rows: int, seed: int = 7) -> Decimal:
    """Write the file; return its unblended total (to check the import against)."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    total = Decimal(0)
    resources = [
        (f"i-{rng.getrandbits(64):016x}", *rng.choice(INSTANCES), rng.choice(TEAMS))
        for _ in range(2000)
    ]
    with gzip.open(path, "wt", newline="", compresslevel=1) as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(rows):
            resource_id, instance, rate, team = resources[index % len(resources)]
            hour = start + timedelta(hours=(index // len(resources)) % 744)
            end = hour + timedelta(hours=1)
            amount = Decimal(rng.randint(1, 3600)) / 3600
            covered = index % 5 == 0
            cost = (amount * rate).quantize(Decimal("0.0000000001"))
            total += cost
            stamp, stamp_end = (
                hour.strftime("%Y-%m-%dT%H:%M:%SZ"),
                end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            writer.writerow(
                [
                    f"li{index:012d}",
                    f"{stamp}/{stamp_end}",
                    "INV-1",
                    "Anniversary",
                    "111111111111",
                    "2026-10-01T00:00:00Z",
                    "2026-11-01T00:00:00Z",
                    f"2222222222{index % 7:02d}",
                    "SavingsPlanCoveredUsage" if covered else "Usage",
                    stamp,
                    stamp_end,
                    "AmazonEC2",
                    f"USE1-BoxUsage:{instance}",
                    "RunInstances",
                    "us-east-1a",
                    resource_id,
                    str(amount.quantize(Decimal("0.0000000001"))),
                    "USD",
                    str(rate),
                    str(cost),
                    str(cost),
                    f"${rate} per On Demand Linux {instance} Instance Hour",
                    "Amazon Elastic Compute Cloud",
                    instance,
                    "us-east-1",
                    f"SKU{instance.upper()}",
                    "Compute Instance",
                    str(cost),
                    "Hrs",
                    str((cost * Decimal("0.72")).quantize(Decimal("0.0000000001")))
                    if covered
                    else "",
                    "arn:aws:savingsplans::111111111111:savingsplan/sp-1" if covered else "",
                    team,
                    f"{team}-endpoint-{index % 3}" if team else "",
                    "prod",
                ]
            )
    return total


def run_import(path: Path) -> tuple[dict, float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_billing", str(path), "--json", "--source", SOURCE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import failed: {result.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    return json.loads(result.stdout.strip().splitlines()[-1]), elapsed, peak_kib


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "costgov.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()


def service_seconds(import_id: int) -> float:
    """The import service's own time (claim -> finished), without process start-up."""
    from apps.billing.models import BillingImport

    run = BillingImport.objects.get(pk=import_id)
    return (run.finished_at - run.started_at).total_seconds()


def raw_copy(import_id: int) -> tuple[int, float]:
    """COPY the stored rows out, then time COPYing them back into the same table, committed."""
    from django.db import connection, transaction

    from apps.billing.models import CostLineItem

    columns = [f.column for f in CostLineItem._meta.concrete_fields if f.column != "id"]
    column_list = ", ".join(columns)
    buffer = io.BytesIO()
    with connection.cursor() as cur:
        copy_out = (
            f"COPY (SELECT {column_list} FROM billing_costlineitem "  # noqa: S608 - own columns
            f"WHERE import_run_id = {int(import_id)}) TO STDOUT"
        )
        with cur.cursor.copy(copy_out) as copy:
            for data in copy:
                buffer.write(data)
    rows = CostLineItem.objects.filter(import_run_id=import_id).count()
    CostLineItem.objects.filter(import_run_id=import_id).delete()
    started = time.perf_counter()
    # Committed, like the import: the commit's WAL flush is part of writing the rows.
    with transaction.atomic(), connection.cursor() as cur:  # noqa: SIM117
        with cur.cursor.copy(f"COPY billing_costlineitem ({column_list}) FROM STDIN") as copy:
            copy.write(buffer.getbuffer())
    elapsed = time.perf_counter() - started
    CostLineItem.objects.filter(import_run_id=import_id).delete()
    return rows, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="write the generated file here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "cur-bench.csv.gz"
        started = time.perf_counter()
        expected_total = generate(path, args.rows)
        generate_s = time.perf_counter() - started
        summary, import_s, peak_kib = run_import(path)
        if summary["rows"] != args.rows or Decimal(summary["totals"]["USD"]) != expected_total:
            raise SystemExit(f"import does not match the generated file: {summary}")
        _django()
        service_s = service_seconds(summary["import_id"])
        copy_rows, copy_s = raw_copy(summary["import_id"])
        import_rate = args.rows / import_s
        service_rate = args.rows / service_s
        copy_rate = copy_rows / copy_s
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "file_mib": round(path.stat().st_size / 2**20, 1),
                    "generate_s": round(generate_s, 1),
                    "import_process_s": round(import_s, 2),
                    "import_process_rows_per_s": round(import_rate),
                    "import_service_s": round(service_s, 2),
                    "import_service_rows_per_s": round(service_rate),
                    "import_peak_rss_mib": round(peak_kib / 1024),
                    "raw_copy_s": round(copy_s, 2),
                    "raw_copy_rows_per_s": round(copy_rate),
                    "ratio_service_to_raw_copy": round(service_rate / copy_rate, 3),
                    "ratio_process_to_raw_copy": round(import_rate / copy_rate, 3),
                    "total_usd": summary["totals"]["USD"],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
