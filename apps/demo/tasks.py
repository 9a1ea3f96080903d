"""Celery tasks of the demo app (thin wrappers; the service is idempotent)."""

from pathlib import Path

from celery import shared_task


@shared_task(name="demo.catalog_load", acks_late=True, soft_time_limit=600)
def demo_catalog_load_task(data_dir: str) -> dict:
    """Load the demo catalog from a generated dataset directory; safe to run twice."""
    from apps.demo.services.catalog_load import demo_catalog_load  # lazy: avoids import cycles

    return demo_catalog_load(data_dir=Path(data_dir)).as_dict()
