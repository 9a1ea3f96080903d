"""Ledger rows and telemetry rollups built directly, so expected allocations are hand-computable."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.billing.models import BillingImport, BillingSource, CostLineItem
from apps.telemetry.histogram import BUCKET_COUNT
from apps.telemetry.models import TelemetryRollupHourly

_rows = itertools.count(1)


def ledger_source() -> tuple[BillingSource, BillingImport]:
    source, _ = BillingSource.objects.get_or_create(name="test-ledger")
    run = BillingImport.objects.filter(source=source).first() or BillingImport.objects.create(
        source=source, format="cur", status="succeeded", triggered_by="test"
    )
    return source, run


def line_item(
    *,
    cost: str,
    day: date = date(2024, 1, 5),
    hour: int = 0,
    hours: int = 1,
    resource_id: str = "",
    instance_type: str = "",
    tags: dict | None = None,
    charge_category: str = "Usage",
    service_name: str = "Amazon Elastic Compute Cloud",
    service_category: str = "Compute",
    currency: str = "USD",
    effective: str | None = None,
    list_cost: str | None = None,
    account: str = "111122223333",
) -> CostLineItem:
    source, run = ledger_source()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return CostLineItem.objects.create(
        source=source,
        import_run=run,
        source_row=next(_rows),
        provider="AWS",
        billing_account_id="999988887777",
        sub_account_id=account,
        billing_period_start=day.replace(day=1),
        charge_period_start=start,
        charge_period_end=start + timedelta(hours=hours),
        charge_date=day,
        charge_category=charge_category,
        billed_cost=Decimal(cost),
        effective_cost=Decimal(effective if effective is not None else cost),
        list_cost=Decimal(list_cost if list_cost is not None else cost),
        billing_currency=currency,
        pricing_category="On-Demand",
        consumed_quantity=Decimal(hours) if instance_type else None,
        consumed_unit="Hrs" if instance_type else "",
        service_name=service_name,
        service_category=service_category,
        resource_id=resource_id,
        instance_type=instance_type,
        tags=tags or {},
    )


def rollup(
    *,
    endpoint: object,
    resource_id: str,
    gpu_seconds: str,
    day: date = date(2024, 1, 5),
    hour: int = 0,
    tokens: int = 1000,
    requests: int = 10,
    customer: str = "acme",
    model_version: str = "v1",
) -> TelemetryRollupHourly:
    return TelemetryRollupHourly.objects.create(
        hour=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
        endpoint=endpoint,
        model_version=model_version,
        lane="interactive",
        accelerator="A10G",
        resource_id=resource_id,
        customer=customer,
        requests=requests,
        errors=0,
        timeouts=0,
        input_tokens=tokens // 2,
        output_tokens=tokens - tokens // 2,
        cached_input_tokens=0,
        latency_ms_sum=requests * 100,
        gpu_ms_sum=Decimal(gpu_seconds) * 1000,
        cache_hits=0,
        duplicate_prompts=0,
        latency_histogram=[0] * BUCKET_COUNT,
        updated_at=timezone.now(),
    )
