"""Local stand-ins for the billing sources: a moto S3 server and the fake BigQuery API."""

import socket
from collections.abc import Iterator

import boto3
import pytest
from django.test import override_settings
from moto.server import ThreadedMotoServer

from tests.fakes.bigquery import FakeBigQuery

BUCKET = "billing-exports"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """A boto3 client of an empty ``BUCKET``; the AWS environment points at moto."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def bigquery() -> Iterator[FakeBigQuery]:
    """The fake BigQuery API, served; settings point the BigQuery client at it."""
    fake = FakeBigQuery()
    with fake.server() as server:
        fake.calls = server.calls
        with override_settings(
            BILLING_BIGQUERY_API_ENDPOINT=server.url, BILLING_BIGQUERY_ANONYMOUS=True
        ):
            yield fake
