"""``manage.py import_prices``, the ``catalog.price_import`` task and its weekly schedule."""

from decimal import Decimal
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from apps.catalog.models import PriceBookEntry
from apps.catalog.tasks import price_import_task
from costgov.celery import app
from tests.fakes.aws import FakeAws
from tests.fakes.gcp_catalog import FakeCloudCatalog


@pytest.mark.django_db
def test_command_imports_named_types_in_named_region(fake_gcp: FakeCloudCatalog) -> None:
    out = StringIO()

    call_command(
        "import_prices",
        "--provider=gcp",
        "--region=us-central1",
        "--instance-types=a2-highgpu-1g, a3-highgpu-8g",
        stdout=out,
    )

    assert "gcp prices: 1 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "not offered / not priced: a3-highgpu-8g us-central1" in out.getvalue()
    assert PriceBookEntry.objects.get().on_demand_hourly == Decimal("3.673385")


@pytest.mark.django_db
def test_command_reports_an_unreachable_source_as_a_command_error(
    fake_aws: FakeAws, settings: Settings, closed_port_url: str
) -> None:
    settings.PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL = closed_port_url

    with pytest.raises(CommandError, match="unreachable"):
        call_command("import_prices", "--provider=aws", "--instance-types=g6.xlarge")
    assert not PriceBookEntry.objects.exists()


def test_weekly_schedule_runs_the_registered_task_for_each_provider() -> None:
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    entries = {k: v for k, v in schedule.items() if v["task"] == "catalog.price_import"}

    assert {e["kwargs"]["provider"] for e in entries.values()} == {"aws", "gcp"}
    assert "catalog.price_import" in app.tasks
    for entry in entries.values():
        cron = entry["schedule"]
        assert len(cron.day_of_week) == 1  # once a week
        assert len(cron.hour) == 1
        assert len(cron.minute) == 1


def test_task_declares_retry_on_source_unavailable_and_a_time_limit() -> None:
    from apps.common.errors import SourceUnavailable

    assert price_import_task.name == "catalog.price_import"
    assert SourceUnavailable in price_import_task.autoretry_for
    assert price_import_task.soft_time_limit == 600


@pytest.mark.django_db(transaction=True)
def test_task_run_twice_by_a_real_worker_imports_once(
    worker_app, fake_gcp: FakeCloudCatalog, settings: Settings
) -> None:
    settings.PRICE_IMPORT_GCP_REGIONS = ["us-central1"]
    with start_worker(worker_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        first = price_import_task.delay("gcp").get(timeout=60)
        second = price_import_task.delay("gcp").get(timeout=60)

    # Default machine types: the default table's GCP types; A3/A2-ultra have no SKUs here.
    assert first["created"] == 4
    assert sorted(first["not_found"]) == [
        "a2-ultragpu-8g us-central1",
        "a3-highgpu-8g us-central1",
    ]
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 4)
    assert PriceBookEntry.objects.filter(provider="gcp").count() == 4
    today = timezone.now().date()
    assert set(PriceBookEntry.objects.values_list("source_date", flat=True)) == {today}


def test_schedule_from_environment_must_be_a_five_field_cron(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from costgov.env import cron_schedule

    monkeypatch.setenv("PRICE_IMPORT_AWS_CRON", "0 4 * * sun")
    assert cron_schedule("PRICE_IMPORT_AWS_CRON", "17 3 * * mon").day_of_week == {0}
    monkeypatch.setenv("PRICE_IMPORT_AWS_CRON", "weekly")
    with pytest.raises(ImproperlyConfigured, match="PRICE_IMPORT_AWS_CRON"):
        cron_schedule("PRICE_IMPORT_AWS_CRON", "17 3 * * mon")
