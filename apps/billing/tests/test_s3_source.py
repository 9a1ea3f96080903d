"""``import_billing s3://bucket/prefix`` against a local moto S3 server: latest manifest wins."""

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.billing.models import CostLineItem
from apps.billing.s3 import latest_manifests
from apps.billing.tests.conftest import BUCKET
from apps.billing.tests.factories import cur_row, write_csv


def _deliver(client, tmp_path: Path, folder: str, assembly: str, period: str, cost: str) -> None:  # noqa: ANN001
    """One CUR delivery: a gzipped report and the period's top-level manifest."""
    key = f"cur/daily/{folder}/{assembly}/daily-00001.csv.gz"
    path = write_csv(
        tmp_path / f"{assembly}.csv.gz",
        [cur_row(period=f"{period}T00:00:00Z", day=f"{period[:8]}05", cost=cost)],
    )
    client.upload_file(str(path), BUCKET, key)
    manifest = {
        "assemblyId": assembly,
        "billingPeriod": {"start": folder[:8] + "T000000.000Z"},
        "reportKeys": [key],
    }
    # AWS writes the manifest twice: in the assembly folder and (overwritten) at the top.
    for manifest_key in (
        f"{folder}/{assembly}/daily-Manifest.json",
        f"{folder}/daily-Manifest.json",
    ):
        client.put_object(Bucket=BUCKET, Key=f"cur/daily/{manifest_key}", Body=json.dumps(manifest))


@pytest.mark.django_db
def test_s3_import_reads_the_latest_manifest_of_each_period(s3, tmp_path: Path) -> None:  # noqa: ANN001
    _deliver(s3, tmp_path, "20240101-20240201", "a1", "2024-01-01", "1.00")
    _deliver(s3, tmp_path, "20240201-20240301", "b1", "2024-02-01", "2.00")
    time.sleep(1.1)  # S3 LastModified has one-second resolution
    _deliver(s3, tmp_path, "20240101-20240201", "a2", "2024-01-01", "5.50")  # restatement
    assert list(latest_manifests(f"s3://{BUCKET}/cur")) == ["2024-01", "2024-02"]

    out = StringIO()
    call_command("import_billing", f"s3://{BUCKET}/cur", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["billing_periods"] == ["2024-01-01", "2024-02-01"]
    assert summary["totals"] == {"USD": "7.5"}
    assert summary["rows"] == 2
    assert CostLineItem.objects.count() == 2


@pytest.mark.django_db
def test_s3_prefix_without_manifest_fails_with_a_clear_message(s3) -> None:  # noqa: ANN001
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no CUR manifest"):
        call_command("import_billing", f"s3://{BUCKET}/nothing-here")
