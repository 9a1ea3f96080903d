"""Celery tasks of the demo app (thin wrappers; the service is idempotent)."""

from pathlib import Path

from celery import shared_task


@shared_task(name="demo.catalog_load", acks_late=True, soft_time_limit=600)
def demo_catalog_load_task(data_dir: str) -> dict:
    """Load the demo catalog from a generated dataset directory; safe to run twice."""
    from apps.demo.services.catalog_load import demo_catalog_load  # lazy: avoids import cycles

    return demo_catalog_load(data_dir=Path(data_dir)).as_dict()


@shared_task(name="demo.billing_import", acks_late=True, soft_time_limit=1800, time_limit=1900)
def demo_billing_import_task(data_dir: str) -> dict:
    """Import the dataset's CUR files; safe to run twice (periods are restated)."""
    from apps.demo.services.dataset_import import demo_billing_import

    return demo_billing_import(data_dir=Path(data_dir))


@shared_task(name="demo.telemetry_import", acks_late=True, soft_time_limit=3600, time_limit=3700)
def demo_telemetry_import_task(data_dir: str) -> dict:
    """Import the dataset's telemetry; safe to run twice (events are deduplicated)."""
    from apps.demo.services.dataset_import import demo_telemetry_import

    return demo_telemetry_import(data_dir=Path(data_dir))


@shared_task(name="demo.allocate", acks_late=True, soft_time_limit=1800, time_limit=1900)
def demo_allocate_task(data_dir: str) -> list[dict]:
    """Allocate every billing period of the dataset; safe to run twice."""
    from apps.demo.services.dataset_import import demo_allocate

    return demo_allocate(data_dir=Path(data_dir))
