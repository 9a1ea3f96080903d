"""Feed a generated demo dataset through the real ingestion and allocation services.

Each function is idempotent: billing imports restate their periods, telemetry is deduplicated by
request id, and allocation replaces whole periods.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.attribution.services.period_allocate import period_allocate
from apps.billing.services.billing_import import billing_import_file
from apps.common.errors import InputFileError
from apps.telemetry.services.files_import import telemetry_files_import

DEMO_BILLING_SOURCE = "demo-cur"


def _manifest(data_dir: Path) -> dict:
    path = data_dir / "manifest.json"
    if not path.exists():
        raise InputFileError("no manifest.json: not a generate_demo folder", file=str(data_dir))
    return json.loads(path.read_text())


def demo_billing_import(*, data_dir: Path) -> dict:
    """Import the dataset's CUR files as one run of the ``demo-cur`` source."""
    manifest = _manifest(data_dir)
    paths = [data_dir / f["path"] for f in manifest["files"] if f["path"].startswith("cur/")]
    run = billing_import_file(
        paths=sorted(paths), source_name=DEMO_BILLING_SOURCE, triggered_by="demo pipeline"
    )
    if run.status != "succeeded":
        raise InputFileError(f"billing import {run.pk} failed: {run.error}", file=str(data_dir))
    return {"import_id": run.pk, "billing_periods": run.billing_periods}


def demo_telemetry_import(*, data_dir: Path) -> dict:
    """Import the dataset's per-request telemetry (allocation follows as its own step)."""
    _manifest(data_dir)
    result = telemetry_files_import(
        paths=[data_dir / "telemetry"],
        now=timezone.now(),
        retention_days=settings.TELEMETRY_RETENTION_DAYS,
        reallocate=False,
    )
    return {key: result.total(key) for key in ("accepted", "duplicates", "rejected")}


def demo_allocate(*, data_dir: Path) -> list[dict]:
    """Allocate every billing period the dataset covers."""
    periods = sorted(_manifest(data_dir)["billing_period_totals"])
    runs = [
        period_allocate(period_start=date.fromisoformat(f"{p}-01"), triggered_by="demo pipeline")
        for p in periods
    ]
    return [
        {
            "period": run.billing_period_start.isoformat(),
            "status": run.status,
            "ledger_rows": run.ledger_rows,
            "conserved": run.ledger_totals == run.allocated_totals,
        }
        for run in runs
    ]
