"""Celery tasks: thin wrappers over the import service (safe to run twice: the run is claimed)."""

from celery import current_app, shared_task

from apps.common.errors import SourceUnavailable

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


@shared_task(name="billing.connections_pull", acks_late=True, soft_time_limit=60, time_limit=120)
def connections_pull_task() -> list[int]:
    """Daily: queue one pull per enabled connection, so one failing source blocks no other."""
    from apps.billing.selectors import cloud_connection_list

    ids = list(cloud_connection_list(is_enabled=True).values_list("pk", flat=True))
    for connection_id in ids:
        connection_pull_task.delay(connection_id)
    return ids


@shared_task(
    name="billing.connection_pull",
    acks_late=True,
    autoretry_for=(SourceUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=3000,
    time_limit=3600,
)
def connection_pull_task(connection_id: int) -> list[str]:
    """Pull one connection (retried with backoff while its source is unavailable); queue the
    re-allocation of every period an import replaced."""
    from apps.billing.choices import ImportStatus
    from apps.billing.services.connection_pull import connection_pull

    runs = connection_pull(connection_id=connection_id)
    periods = sorted(
        {p for run in runs if run.status == ImportStatus.SUCCEEDED for p in run.billing_periods}
    )
    for period in periods:
        current_app.send_task(ALLOCATE_TASK, args=[period, f"billing-connection:{connection_id}"])
    return periods
