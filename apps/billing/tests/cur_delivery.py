"""AWS CUR deliveries into the moto bucket: a gzipped report and its period manifests."""

import json
from pathlib import Path

from apps.billing.tests.conftest import BUCKET
from apps.billing.tests.factories import cur_row, write_csv


def deliver(client, tmp_path: Path, month: str, assembly: str, costs: list[str]) -> None:  # noqa: ANN001
    """Deliver ``costs`` (one line item each) for billing period ``month`` (``YYYY-MM``)."""
    year, number = int(month[:4]), int(month[5:])
    end = f"{year + (number == 12)}{number % 12 + 1:02d}01"
    folder = f"{month.replace('-', '')}01-{end}"
    key = f"cur/daily/{folder}/{assembly}/daily-00001.csv.gz"
    rows = [
        cur_row(period=f"{month}-01T00:00:00Z", day=f"{month}-05", cost=cost, resource=f"i-{i}")
        for i, cost in enumerate(costs)
    ]
    path = write_csv(tmp_path / f"{assembly}.csv.gz", rows)
    client.upload_file(str(path), BUCKET, key)
    manifest = {
        "assemblyId": assembly,
        "billingPeriod": {"start": f"{folder[:8]}T000000.000Z"},
        "reportKeys": [key],
    }
    for manifest_key in (
        f"{folder}/{assembly}/daily-Manifest.json",
        f"{folder}/daily-Manifest.json",
    ):
        client.put_object(Bucket=BUCKET, Key=f"cur/daily/{manifest_key}", Body=json.dumps(manifest))
