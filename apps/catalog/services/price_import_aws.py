"""Refresh AWS price-book rows from the Price List Query API and EC2 spot price history."""

from datetime import datetime, timedelta

from django.conf import settings

from apps.catalog.choices import Provider
from apps.catalog.parsers.aws_price_list import AwsProductPrice, parse_price_list_item
from apps.catalog.parsers.aws_spot import spot_price_by_instance_type
from apps.catalog.parsers.gpu_models import GpuModel, aws_gpu_for_instance_type
from apps.catalog.parsers.prices import ImportedPrice, PriceDataMalformed
from apps.catalog.services.price_book_import_write import (
    PriceImportResult,
    price_book_entries_upsert,
    price_import_targets,
    utc_date,
)
from apps.catalog.sources import aws
from apps.common.errors import ValidationFailed

SOURCE = (
    "AWS Pricing API get_products (OnDemand; Reserved standard no-upfront 1yr/3yr); "
    "EC2 describe_spot_price_history (median across AZs of each AZ's latest price, 7 days)"
)
SPOT_WINDOW = timedelta(days=7)


def _gpu_memory_gb(product: AwsProductPrice, gpu: GpuModel) -> int:
    """Memory of one GPU. The family fixes it; ``gpuMemory`` (when given) must agree."""
    total = product.gpu_memory_total_gb
    if total is not None and total != gpu.memory_gb * product.gpus_per_instance:
        raise PriceDataMalformed(
            record=f"AWS product {product.sku} ({product.instance_type})",
            field="attributes.gpuMemory",
            problem=f"{total} GB is not {product.gpus_per_instance} x {gpu.name} "
            f"({gpu.memory_gb} GB)",
        )
    return gpu.memory_gb


def _product(*, instance_type: str, region: str) -> AwsProductPrice | None:
    products = [
        product
        for product in map(parse_price_list_item, aws.ec2_price_list(
            instance_type=instance_type, region=region
        ))
        if product.instance_type == instance_type and product.region == region
    ]  # fmt: skip
    if len(products) > 1:
        raise PriceDataMalformed(
            record=f"AWS products for {instance_type} in {region}",
            field="product.sku",
            problem="several products match: " + ", ".join(sorted(p.sku for p in products)),
        )
    return products[0] if products else None


def price_import_aws(
    *,
    now: datetime,
    regions: list[str] | None = None,
    instance_types: list[str] | None = None,
) -> PriceImportResult:
    """Import on-demand, 1y/3y reserved and spot hourly prices for AWS GPU instance types.

    Defaults: regions from ``PRICE_IMPORT_AWS_REGIONS``; instance types of the default table and
    of the AWS rows already in the book. Everything is read and checked before one transaction
    writes it (no database transaction is held open across network calls): an unreachable API
    raises ``SourceUnavailable``, a malformed product ``PriceDataMalformed``, and either way
    nothing is written. Idempotent: a second run with the same data the same UTC day changes
    nothing. Pairs AWS does not sell are listed in ``not_found``.
    """
    regions = regions or list(settings.PRICE_IMPORT_AWS_REGIONS)
    instance_types = instance_types or price_import_targets(provider=Provider.AWS)
    gpus = {it: aws_gpu_for_instance_type(it) for it in instance_types}
    unknown = sorted(it for it, gpu in gpus.items() if gpu is None)
    if unknown:
        raise ValidationFailed(f"no GPU model known for AWS instance type(s) {', '.join(unknown)}")
    prices: list[ImportedPrice] = []
    not_found: list[str] = []
    for region in regions:
        products = {}
        for instance_type in instance_types:
            product = _product(instance_type=instance_type, region=region)
            if product is None:
                not_found.append(f"{instance_type} {region}")
            else:
                products[instance_type] = product
        if not products:
            continue
        spot = spot_price_by_instance_type(
            aws.spot_price_history(
                instance_types=sorted(products), region=region, start=now - SPOT_WINDOW, end=now
            )
        )
        for instance_type, product in products.items():
            gpu = gpus[instance_type]
            prices.append(
                ImportedPrice(
                    provider=Provider.AWS,
                    instance_type=instance_type,
                    region=region,
                    gpu_model=gpu.name,
                    gpus_per_instance=product.gpus_per_instance,
                    gpu_memory_gb=_gpu_memory_gb(product, gpu),
                    supports_fp8=gpu.supports_fp8,
                    on_demand_hourly=product.on_demand_hourly,
                    spot_hourly=spot.get(instance_type),
                    commit_1y_hourly=product.commit_1y_hourly,
                    commit_3y_hourly=product.commit_3y_hourly,
                    source=SOURCE,
                    source_date=utc_date(now),
                )
            )
    return price_book_entries_upsert(prices=prices, not_found=tuple(not_found))
