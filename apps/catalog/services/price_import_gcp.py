"""Refresh GCP price-book rows from Cloud Billing Catalog SKUs (Compute Engine)."""

from datetime import datetime

from django.conf import settings

from apps.catalog.choices import Provider
from apps.catalog.parsers.gcp_skus import (
    GCP_MACHINE_SHAPES,
    component_prices,
    gpu_facts,
    machine_prices,
)
from apps.catalog.parsers.prices import ImportedPrice
from apps.catalog.services.price_book_import_write import (
    PriceImportResult,
    price_book_entries_upsert,
    price_import_targets,
    utc_date,
)
from apps.catalog.sources import gcp
from apps.common.errors import ValidationFailed

SOURCE = (
    "GCP Cloud Billing Catalog API list_skus, Compute Engine: GPU + vCPU + RAM SKUs "
    "(OnDemand, Preemptible = spot, Commit1Yr, Commit3Yr)"
)


def price_import_gcp(
    *,
    now: datetime,
    regions: list[str] | None = None,
    instance_types: list[str] | None = None,
) -> PriceImportResult:
    """Import on-demand, spot and 1y/3y commitment hourly prices for GCP GPU machine types.

    Each machine type is priced from its component SKUs (apps/catalog/parsers/gcp_skus.py).
    Defaults: regions from ``PRICE_IMPORT_GCP_REGIONS``; machine types of the default table and
    of the GCP rows already in the book. All SKUs are read and checked before one transaction
    writes: ``SourceUnavailable`` or ``PriceDataMalformed`` leave the book untouched.
    Idempotent. Machine types without an on-demand price in a region are listed in
    ``not_found``; a term without all three component SKUs is stored as NULL.
    """
    regions = regions or list(settings.PRICE_IMPORT_GCP_REGIONS)
    instance_types = instance_types or price_import_targets(provider=Provider.GCP)
    instance_types = instance_types or sorted(GCP_MACHINE_SHAPES)
    unknown = sorted(set(instance_types) - set(GCP_MACHINE_SHAPES))
    if unknown:
        raise ValidationFailed(f"no SKU mapping for GCP machine type(s) {', '.join(unknown)}")
    skus = gcp.compute_engine_skus()
    prices: list[ImportedPrice] = []
    not_found: list[str] = []
    for region in regions:
        components = component_prices(skus, region=region)
        for instance_type in instance_types:
            shape = GCP_MACHINE_SHAPES[instance_type]
            terms = machine_prices(components, shape)
            if terms["on_demand"] is None:
                not_found.append(f"{instance_type} {region}")
                continue
            memory_gb, supports_fp8 = gpu_facts(shape)
            prices.append(
                ImportedPrice(
                    provider=Provider.GCP,
                    instance_type=instance_type,
                    region=region,
                    gpu_model=shape.gpu_model,
                    gpus_per_instance=shape.gpus,
                    gpu_memory_gb=memory_gb,
                    supports_fp8=supports_fp8,
                    on_demand_hourly=terms["on_demand"],
                    spot_hourly=terms["spot"],
                    commit_1y_hourly=terms["commit_1y"],
                    commit_3y_hourly=terms["commit_3y"],
                    source=SOURCE,
                    source_date=utc_date(now),
                )
            )
    return price_book_entries_upsert(prices=prices, not_found=tuple(not_found))
