"""A hand-computable world: one endpoint whose replicas bill $1/hour each, plus its telemetry."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory

from apps.accounts.models import Team
from apps.anomalies.models import Subscription
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import ledger_source
from apps.billing.models import CostLineItem
from apps.catalog.models import ModelEndpoint
from apps.catalog.tests.factories import ModelEndpointFactory
from apps.telemetry.histogram import BUCKET_COUNT
from apps.telemetry.models import TelemetryRollupHourly

START = date(2024, 1, 1)
DAYS = 10


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"subscription-{n}")
    channel = "webhook"
    target = "http://127.0.0.1:9/hook"


def hour_at(day: int, hour: int) -> datetime:
    return datetime(START.year, START.month, START.day, tzinfo=UTC) + timedelta(
        days=day, hours=hour
    )


def endpoint_world(
    *,
    team: Team,
    name: str = "rank",
    replicas: Callable[[datetime], list[str]] = lambda at: ["i-a", "i-b"],
    requests: Callable[[datetime], int] = lambda at: 100,
    days: int = DAYS,
) -> ModelEndpoint:
    """``days`` of hourly ledger rows ($1 per replica-hour, tagged to the endpoint) and rollups,
    allocated by the attribution service."""
    endpoint = ModelEndpointFactory(name=name, team=team)
    items, rollups = [], []
    for step in range(days * 24):
        at = hour_at(0, 0) + timedelta(hours=step)
        for resource in replicas(at):
            items.append((at, resource))
        count = requests(at)
        rollups.append(
            TelemetryRollupHourly(
                hour=at, endpoint=endpoint, model_version="v1", lane="interactive",
                accelerator="A10G", resource_id="i-a", customer="acme", requests=count,
                errors=0, timeouts=0, input_tokens=count * 100, output_tokens=count * 100,
                cached_input_tokens=0, latency_ms_sum=count * 100, gpu_ms_sum=count * 50,
                cache_hits=0, duplicate_prompts=0, latency_histogram=[0] * BUCKET_COUNT,
                updated_at=at,
            )
        )  # fmt: skip
    source, run = ledger_source()
    CostLineItem.objects.bulk_create(
        [
            CostLineItem(
                source=source, import_run=run, source_row=row, provider="AWS",
                billing_account_id="999988887777", sub_account_id="111122223333",
                billing_period_start=at.date().replace(day=1), charge_period_start=at,
                charge_period_end=at + timedelta(hours=1), charge_date=at.date(),
                charge_category="Usage", billed_cost=Decimal(1), effective_cost=Decimal(1),
                list_cost=Decimal(1), billing_currency="USD", pricing_category="On-Demand",
                consumed_quantity=Decimal(1), consumed_unit="Hrs",
                service_name="Amazon Elastic Compute Cloud", service_category="Compute",
                resource_id=resource, instance_type="g5.xlarge", region="us-east-1",
                tags={"costgov:endpoint": name},
            )
            for row, (at, resource) in enumerate(items, start=1)
        ],
        batch_size=2000,
    )  # fmt: skip
    TelemetryRollupHourly.objects.bulk_create(rollups)
    for period in sorted({at.date().replace(day=1) for at, _ in items}):
        period_allocate(period_start=period, triggered_by="test")
    assert CostLineItem.objects.exists()
    return endpoint
