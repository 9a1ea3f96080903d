"""Celery wrappers for catalog services (thin: parse, call one service)."""

from celery import shared_task
from django.utils import timezone

from apps.common.errors import SourceUnavailable


@shared_task(name="catalog.price_book_seed", acks_late=True, soft_time_limit=120, time_limit=180)
def price_book_seed_task() -> dict:
    from apps.catalog.services.price_book_seed import price_book_seed  # lazy: avoids cycles

    result = price_book_seed()
    return {"created": result.created, "updated": result.updated, "kept": result.kept}


@shared_task(
    name="catalog.price_import",
    acks_late=True,
    autoretry_for=(SourceUnavailable,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def price_import_task(provider: str) -> dict:
    """Refresh one provider's price-book rows; safe to run twice (the service is idempotent)."""
    from apps.catalog.services.price_import_aws import price_import_aws  # lazy: import cycles
    from apps.catalog.services.price_import_gcp import price_import_gcp

    importers = {"aws": price_import_aws, "gcp": price_import_gcp}
    if provider not in importers:
        raise ValueError(f"unknown provider {provider!r}; expected one of {sorted(importers)}")
    result = importers[provider](now=timezone.now())
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "not_found": list(result.not_found),
    }
