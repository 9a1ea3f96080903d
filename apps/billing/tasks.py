"""Celery tasks: thin wrappers over the import service (safe to run twice: the run is claimed)."""

from celery import shared_task


@shared_task(name="billing.import_run", acks_late=True, soft_time_limit=3000, time_limit=3600)
def billing_import_run_task(import_id: int) -> None:
    from apps.billing.services.billing_import import billing_import_run  # lazy: import cycles

    billing_import_run(import_id=import_id)
