"""Load a generated demo dataset through every upstream service, so detection can be scored
against its labels: catalog, price book, billing (CUR), telemetry, attribution.

Used by ``evaluate_detector --load`` and by the end-to-end tests. Each step goes through the
owning app's service; running it twice re-imports the same files (the services are idempotent).
"""

import gzip
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from apps.attribution.services.period_allocate import period_allocate, periods_for_days
from apps.billing.services.billing_import import billing_import_file
from apps.catalog.services.price_book_seed import price_book_seed
from apps.demo.services.catalog_load import demo_catalog_load
from apps.telemetry.parsers.bodies import decode_ndjson
from apps.telemetry.services.event_ingest import telemetry_events_ingest

CHUNK = 5000


@dataclass(frozen=True)
class DemoPeriod:
    start: datetime
    end: datetime


def demo_period(*, data_dir: Path) -> DemoPeriod:
    manifest = json.loads((data_dir / "manifest.json").read_text())
    period = manifest["period"]
    return DemoPeriod(
        start=datetime.fromisoformat(period["start"].replace("Z", "+00:00")),
        end=datetime.fromisoformat(period["end"].replace("Z", "+00:00")),
    )


def demo_dataset_load(*, data_dir: Path) -> DemoPeriod:
    """Import ``data_dir`` (written by ``generate_demo``) into the database."""
    period = demo_period(data_dir=data_dir)
    price_book_seed()
    demo_catalog_load(data_dir=data_dir)
    for path in sorted(data_dir.glob("cur/*/*/*.csv.gz")):
        billing_import_file(paths=[path], source_name="demo", triggered_by="demo_load")
    # The dataset is historical: judge telemetry retention as of the dataset's end.
    ingest_now = period.end + timedelta(hours=1)
    retention_days = (period.end - period.start).days + 2
    for path in sorted(data_dir.glob("telemetry/*.ndjson.gz")):
        with gzip.open(path, "rb") as handle:
            events = decode_ndjson(handle.read())
        for offset in range(0, len(events), CHUNK):
            telemetry_events_ingest(
                events=events[offset : offset + CHUNK],
                team_ids=None,
                now=ingest_now,
                retention_days=retention_days,
            )
    for period_start in periods_for_days(start=period.start.date(), end=period.end.date()):
        period_allocate(period_start=period_start, triggered_by="demo_load")
    return period
