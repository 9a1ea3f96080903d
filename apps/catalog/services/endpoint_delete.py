"""Delete model endpoints and everything that cascades from them."""

from collections.abc import Collection

from django.db import transaction

from apps.catalog.models import ModelEndpoint


@transaction.atomic
def endpoint_delete(*, endpoint_ids: Collection[int]) -> int:
    """Delete the endpoints and the rows that cascade from them, in one transaction; returns
    how many endpoints there were to delete.

    The endpoint rows are locked FOR UPDATE, in id order (two deletes cannot deadlock), before
    anything is deleted. Writers that reference endpoints by a key-share lock instead of a
    foreign-key check (the hourly telemetry rollups) hold that lock until they commit, so the
    delete waits for them and its cascade then sees every row they wrote; a writer that starts
    later skips an endpoint once it is gone.
    """
    locked = list(
        ModelEndpoint.objects.select_for_update()
        .filter(pk__in=endpoint_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if locked:
        ModelEndpoint.objects.filter(pk__in=locked).delete()
    return len(locked)
