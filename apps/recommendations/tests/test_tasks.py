import pytest
from celery.contrib.testing.worker import start_worker

from apps.catalog.tests.factories import ModelEndpointFactory
from apps.recommendations.models import Recommendation
from apps.recommendations.tasks import recommendation_refresh_task
from apps.recommendations.tests.factories import allocate, endpoint_days, price_book


@pytest.mark.django_db(transaction=True)
def test_daily_refresh_task_runs_twice_on_a_real_worker_without_duplicates(team_a, worker_app):
    price_book()
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    endpoint_days(ep, first=1, last=14)
    allocate()
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = recommendation_refresh_task.delay().get(timeout=60)
        second = recommendation_refresh_task.delay().get(timeout=60)
    assert first["created"] == 4
    assert second["created"] == 0
    assert second["unchanged"] == 4
    assert Recommendation.objects.filter(endpoint=ep).count() == 4
