from celery import shared_task


@shared_task(
    name="telemetry.partitions_maintain", acks_late=True, soft_time_limit=300, time_limit=360
)
def telemetry_partitions_maintain_task() -> None:
    """Hourly: create the next days' event partitions, drop those past retention."""
    from django.conf import settings
    from django.utils import timezone

    from apps.telemetry.services.partitions import telemetry_partitions_maintain

    telemetry_partitions_maintain(
        now=timezone.now(),
        retention_days=settings.TELEMETRY_RETENTION_DAYS,
        ahead_days=settings.TELEMETRY_PARTITIONS_AHEAD_DAYS,
    )


@shared_task(name="telemetry.rollups_apply", acks_late=True, soft_time_limit=300, time_limit=360)
def rollups_apply_task() -> int:
    """Add committed ingest batches to the hourly rollups (queued by each ingest, and every
    minute by beat as a backstop)."""
    from apps.telemetry.services.rollup_apply import telemetry_rollups_apply_queued

    return telemetry_rollups_apply_queued()


@shared_task(name="telemetry.rollup_rebuild", acks_late=True, soft_time_limit=1800, time_limit=1900)
def rollup_rebuild_task(start: str, end: str) -> int:
    """Rebuild hourly rollups for [start, end) (ISO-8601 instants)."""
    from django.conf import settings
    from django.utils import timezone

    from apps.common.clock import parse_aware
    from apps.telemetry.services.rollup_rebuild import rollup_rebuild

    return rollup_rebuild(
        start=parse_aware(start),
        end=parse_aware(end),
        now=timezone.now(),
        retention_days=settings.TELEMETRY_RETENTION_DAYS,
    )
