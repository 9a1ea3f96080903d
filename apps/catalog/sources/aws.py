"""Read the AWS Price List Query API and EC2 spot price history through boto3.

Connection failures, throttling and 5xx answers raise ``SourceUnavailable`` (a retry may help);
an AWS refusal (4xx: credentials, permissions, parameters) raises ``ValidationFailed``.
Endpoints come from settings so a deployment (or a test) can point them at a local server.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.conf import settings

from apps.common.errors import SourceUnavailable, ValidationFailed

# The Price List Query API is served from a few regions only; us-east-1 answers for all regions.
PRICING_API_REGION = "us-east-1"
PRODUCT_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}
SPOT_PRODUCT_DESCRIPTION = "Linux/UNIX"
_RETRYABLE_CODES = {"Throttling", "ThrottlingException", "RequestLimitExceeded"}


def _client(service: str, *, region: str, endpoint_url: str | None) -> object:
    config = Config(
        retries={"mode": "standard", "max_attempts": settings.PRICE_IMPORT_AWS_MAX_ATTEMPTS},
        connect_timeout=5,
        read_timeout=30,
    )
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    try:
        yield
    except NoCredentialsError as exc:
        raise ValidationFailed(f"AWS {operation}: no AWS credentials configured") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        message = f"AWS {operation} failed: {error.get('Code', status)} {error.get('Message', '')}"
        if status >= 500 or error.get("Code") in _RETRYABLE_CODES:
            raise SourceUnavailable(message.strip()) from exc
        raise ValidationFailed(message.strip()) from exc
    except BotoCoreError as exc:
        raise SourceUnavailable(f"AWS {operation} unreachable: {exc}") from exc


def ec2_price_list(*, instance_type: str, region: str) -> list[str]:
    """Every PriceList JSON string for a Linux, shared-tenancy, on-demand-capacity product."""
    client = _client(
        "pricing",
        region=PRICING_API_REGION,
        endpoint_url=settings.PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL,
    )
    filters = {"instanceType": instance_type, "regionCode": region, **PRODUCT_FILTERS}
    items: list[str] = []
    with _translated("pricing.get_products"):
        pages = client.get_paginator("get_products").paginate(
            ServiceCode="AmazonEC2",
            Filters=[
                {"Type": "TERM_MATCH", "Field": field, "Value": value}
                for field, value in filters.items()
            ],
            FormatVersion="aws_v1",
        )
        for page in pages:
            items.extend(page.get("PriceList", []))
    return items


def spot_price_history(
    *, instance_types: list[str], region: str, start: datetime, end: datetime
) -> list[dict]:
    """EC2 spot price records (every zone, every page) for ``[start, end]`` in one region."""
    client = _client("ec2", region=region, endpoint_url=settings.PRICE_IMPORT_AWS_EC2_ENDPOINT_URL)
    records: list[dict] = []
    with _translated("ec2.describe_spot_price_history"):
        pages = client.get_paginator("describe_spot_price_history").paginate(
            InstanceTypes=instance_types,
            ProductDescriptions=[SPOT_PRODUCT_DESCRIPTION],
            StartTime=start,
            EndTime=end,
        )
        for page in pages:
            records.extend(page.get("SpotPriceHistory", []))
    return records
