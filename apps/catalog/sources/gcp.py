"""Read Compute Engine SKUs from the GCP Cloud Billing Catalog API (``CloudCatalogClient``).

Connection failures, timeouts, 429 and 5xx answers raise ``SourceUnavailable``; a refusal
(credentials, permissions) raises ``ValidationFailed``. The REST transport is used so the
endpoint can be any HTTP(S) URL (settings ``PRICE_IMPORT_GCP_API_ENDPOINT``).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from django.conf import settings
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud.billing_v1 import CloudCatalogClient, Sku
from google.protobuf import json_format

from apps.catalog.parsers.prices import PriceDataMalformed
from apps.common.errors import SourceUnavailable, ValidationFailed

COMPUTE_ENGINE = "Compute Engine"
_TIMEOUT_S = 60.0
_RETRYABLE = (
    api_exceptions.ServerError,
    api_exceptions.TooManyRequests,
    api_exceptions.RetryError,
    api_exceptions.DeadlineExceeded,
)


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    try:
        yield
    except _RETRYABLE as exc:
        raise SourceUnavailable(f"GCP {operation} failed: {exc}") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SourceUnavailable(f"GCP {operation} unreachable: {exc}") from exc
    except auth_exceptions.GoogleAuthError as exc:
        raise ValidationFailed(f"GCP {operation}: credentials not usable: {exc}") from exc
    except api_exceptions.GoogleAPICallError as exc:
        raise ValidationFailed(f"GCP {operation} refused: {exc}") from exc
    except (json_format.ParseError, ValueError) as exc:
        # The body was not the documented message (REST transport decodes it as JSON protobuf).
        raise PriceDataMalformed(
            record=f"GCP {operation} response", field="(body)", problem=str(exc)
        ) from exc


def _client() -> CloudCatalogClient:
    options = {}
    if settings.PRICE_IMPORT_GCP_API_ENDPOINT:
        options["api_endpoint"] = settings.PRICE_IMPORT_GCP_API_ENDPOINT
    # Anonymous only makes sense for a local catalogue server; Google requires credentials.
    credentials = AnonymousCredentials() if settings.PRICE_IMPORT_GCP_ANONYMOUS else None
    with _translated("CloudCatalogClient"):
        return CloudCatalogClient(credentials=credentials, client_options=options, transport="rest")


def compute_engine_skus() -> list[Sku]:
    """Every SKU of the Compute Engine service, priced in USD (all pages)."""
    client = _client()
    with _translated("list_services"):
        services = [
            s for s in client.list_services(timeout=_TIMEOUT_S) if s.display_name == COMPUTE_ENGINE
        ]
    if len(services) != 1:
        raise PriceDataMalformed(
            record="GCP list_services",
            field="display_name",
            problem=f"expected one {COMPUTE_ENGINE!r} service, found {len(services)}",
        )
    with _translated("list_skus"):
        return list(
            client.list_skus(
                request={"parent": services[0].name, "currency_code": "USD"}, timeout=_TIMEOUT_S
            )
        )
