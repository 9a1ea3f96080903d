"""Celery tasks: thin wrappers over the import service (safe to run twice: the run is claimed)."""

from celery import current_app, shared_task

# The allocation that follows an import is named, not imported: billing sits below attribution.
ALLOCATE_TASK = "attribution.period_allocate"


@shared_task(name="billing.import_run", acks_late=True, soft_time_limit=3000, time_limit=3600)
def billing_import_run_task(import_id: int) -> list[str]:
    """Run the import; when it succeeds, queue the re-allocation of every period it touched."""
    from apps.billing.choices import ImportStatus
    from apps.billing.services.billing_import import billing_import_run  # lazy: import cycles

    run = billing_import_run(import_id=import_id)
    if run.status != ImportStatus.SUCCEEDED:
        return []
    for period in run.billing_periods:
        current_app.send_task(ALLOCATE_TASK, args=[period, f"billing-import:{run.pk}"])
    return list(run.billing_periods)
