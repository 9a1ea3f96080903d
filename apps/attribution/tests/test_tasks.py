"""The allocation task through a real Celery worker and the real Redis broker."""

from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker

from apps.attribution.models import AllocationRun, CostAllocation
from apps.attribution.tasks import days_reallocate_task, period_allocate_task
from apps.attribution.tests.builders import line_item
from apps.catalog.tests.factories import ModelEndpointFactory


@pytest.mark.django_db(transaction=True)
def test_period_allocate_task_runs_in_a_worker_and_twice_gives_the_same_allocation(
    worker_app, team_a
):
    ModelEndpointFactory(name="rank", team=team_a)
    line_item(cost="2.50", tags={"costgov:endpoint": "rank"})
    line_item(cost="0.75", service_name="AWS Support", service_category="")
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = period_allocate_task.delay("2024-01-01", "test").get(timeout=60)
        rows_first = sorted(CostAllocation.objects.values_list("category", "billed_cost"))
        second = period_allocate_task.delay("2024-01-01", "test").get(timeout=60)
        rows_second = sorted(CostAllocation.objects.values_list("category", "billed_cost"))
        periods = days_reallocate_task.delay("2024-01-05", "2024-01-06", "test").get(timeout=60)
    assert first["status"] == second["status"] == "succeeded"
    assert rows_first == rows_second
    assert [c for c, _ in rows_second] == ["unallocated", "usage"]
    assert periods == ["2024-01-01"]
    assert AllocationRun.objects.filter(billing_period_start=date(2024, 1, 1)).count() >= 2
