import threading
from datetime import date

import pytest
from django.db import connection

from apps.attribution.models import AllocationPart, AllocationRun
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.services.rule_set import rule_set_snapshot
from apps.attribution.tests.builders import line_item, rollup
from apps.catalog.tests.factories import ModelEndpointFactory, PriceBookEntryFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_of_one_period_are_serialized_and_leave_one_allocation(team_a):
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    endpoint = ModelEndpointFactory(name="rank", team=team_a)
    days = [date(2024, 1, d) for d in range(1, 31)]
    for day in days:
        for hour in range(24):
            line_item(
                cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge", day=day, hour=hour
            )
            rollup(endpoint=endpoint, resource_id="i-pool", gpu_seconds="3600", day=day, hour=hour)
    rule_set_snapshot()  # exists already, so nothing but the advisory lock orders the runs
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def recompute() -> None:
        try:
            barrier.wait()
            period_allocate(period_start=date(2024, 1, 1), triggered_by="thread")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    runs = AllocationRun.objects.filter(status="succeeded")
    assert runs.count() == 3
    # One run's parts survive: 720 rows x (usage, idle), no duplicates from interleaving.
    assert AllocationPart.objects.count() == 2 * 720
    assert AllocationPart.objects.values("run_id").distinct().count() == 1
