"""Celery wrappers for catalog services (thin: parse ids, call one service)."""

from celery import shared_task


@shared_task(name="catalog.price_book_seed", acks_late=True, soft_time_limit=120, time_limit=180)
def price_book_seed_task() -> dict:
    from apps.catalog.services.price_book_seed import price_book_seed  # lazy: avoids cycles

    result = price_book_seed()
    return {"created": result.created, "updated": result.updated, "kept": result.kept}
