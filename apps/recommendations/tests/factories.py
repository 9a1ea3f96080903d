"""A small world for service and API tests: an endpoint with two tagged replicas on g5.xlarge
(1.00/h) billed per day, telemetry on one of them, allocated with the real attribution."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory

from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item, rollup
from apps.catalog.tests.factories import ModelEndpointFactory, PriceBookEntryFactory
from apps.recommendations.models import Recommendation

PERIOD = date(2026, 10, 1)


def price_book() -> None:
    PriceBookEntryFactory(
        on_demand_hourly=Decimal("1.0"),
        spot_hourly=Decimal("0.35"),
        commit_1y_hourly=Decimal("0.64"),
        commit_3y_hourly=Decimal("0.40"),
    )


def endpoint_days(
    endpoint: object,
    *,
    first: int,
    last: int,
    replicas: int = 2,
    tokens: int = 30_000,
    gpu_seconds: str = "21600",
    duplicates: int = 0,
) -> None:
    """Days ``first``..``last`` of October 2026: ``replicas`` tagged 24-hour lines of 24.00
    each (one per replica) and one rollup of 300 requests on replica 1."""
    for day_number in range(first, last + 1):
        day = PERIOD.replace(day=day_number)
        for replica in range(1, replicas + 1):
            line_item(
                cost="24",
                day=day,
                hours=24,
                resource_id=f"i-{endpoint.name}-{replica}",
                instance_type="g5.xlarge",
                tags={"costgov:endpoint": endpoint.name},
            )
        row = rollup(
            endpoint=endpoint,
            resource_id=f"i-{endpoint.name}-1",
            gpu_seconds=gpu_seconds,
            day=day,
            tokens=tokens,
            requests=300,
        )
        if duplicates:
            row.duplicate_prompts = duplicates
            row.save(update_fields=["duplicate_prompts"])


def allocate() -> None:
    run = period_allocate(period_start=PERIOD)
    assert run.status == "succeeded", run.error


def now_after(days: int = 14) -> datetime:
    return datetime(2026, 10, 1, 12, tzinfo=UTC) + timedelta(days=days)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    endpoint = factory.SubFactory(ModelEndpointFactory)
    lever = "right_sizing"
    status = "open"
    title = factory.LazyAttribute(lambda r: f"Right-size {r.endpoint.name}")
    current_monthly_cost = Decimal("1440")
    projected_monthly_cost = Decimal("720")
    savings_monthly = Decimal("720")
    savings_low = Decimal("600")
    savings_high = Decimal("720")
    confidence = "medium"
    computed_at = factory.LazyFunction(lambda: datetime(2026, 10, 15, tzinfo=UTC))
