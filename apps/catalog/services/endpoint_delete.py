"""Delete a model endpoint and everything that cascades from it."""

from django.db import transaction

from apps.catalog.models import ModelEndpoint


@transaction.atomic
def endpoint_delete(*, endpoint_id: int) -> None:
    """Delete the endpoint and the rows that cascade from it, in one transaction.

    The endpoint row is locked FOR UPDATE before anything is deleted. Writers that reference
    endpoints by a key-share lock instead of a foreign-key check (the hourly telemetry rollups)
    hold that lock until they commit, so the delete waits for them and its cascade then sees
    every row they wrote; a writer that starts later skips the endpoint once it is gone.
    Raises ``ModelEndpoint.DoesNotExist`` if there is no such endpoint.
    """
    endpoint = ModelEndpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.delete()
