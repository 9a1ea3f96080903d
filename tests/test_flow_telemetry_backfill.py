"""A telemetry backfill re-allocates the days it touched (through a real worker)."""

import json
import time
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.utils import timezone

from apps.attribution.models import AllocationPart, AllocationRun
from apps.attribution.tests.builders import line_item
from apps.catalog.tests.factories import ModelEndpointFactory, PriceBookEntryFactory


@pytest.mark.django_db(transaction=True)
def test_backfilled_telemetry_splits_a_shared_node_after_reallocation(
    worker_app, team_a, team_b, tmp_path
):
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    ModelEndpointFactory(name="rank", team=team_a)
    ModelEndpointFactory(name="chat", team=team_b)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    day = hour.astimezone(UTC).date()
    line_item(cost="8", day=day, hour=hour.hour, resource_id="i-pool", instance_type="g5.12xlarge")
    events = [
        {
            "ts": (hour + timedelta(minutes=i)).isoformat(),
            "request_id": f"r{i}",
            "endpoint": name,
            "model": "m",
            "input_tokens": 10,
            "output_tokens": 5,
            "latency_ms": 100,
            "resource_id": "i-pool",
            "attributes": {"gpu_ms": gpu_ms},
        }
        for i, (name, gpu_ms) in enumerate([("rank", 3_600_000), ("chat", 10_800_000)])
    ]
    path = tmp_path / "backfill.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in events))
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        call_command("import_telemetry", str(path))
        deadline = time.monotonic() + 60
        while not AllocationRun.objects.filter(
            status="succeeded", triggered_by="telemetry-backfill"
        ).exists():
            assert time.monotonic() < deadline, "no re-allocation after the backfill"
            time.sleep(0.2)
    shares = {
        p.endpoint.name: p.billed_cost
        for p in AllocationPart.objects.filter(category="usage").select_related("endpoint")
    }
    # 4 GPUs x 3600 s fully used (1 h + 3 h of GPU time): rank 1/4, chat 3/4, no idle.
    assert shares == {"rank": Decimal("2"), "chat": Decimal("6")}
