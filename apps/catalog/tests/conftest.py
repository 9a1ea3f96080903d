"""Local stand-ins for the provider APIs the price importers call (no network)."""

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from moto.server import ThreadedMotoServer
from pytest_django.fixtures import Settings

from apps.catalog.tests.price_data import g6_products, gcp_skus, p4d_products, spot_history
from tests.fakes.aws import FakeAws
from tests.fakes.gcp_catalog import FakeCloudCatalog

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fake_aws(aws_credentials: None, settings: Settings) -> Iterator[FakeAws]:
    """Price List and spot history fake; both AWS endpoints point at it, one page per item."""
    fake = FakeAws(products=p4d_products() + g6_products(), spot=spot_history(NOW))
    with fake.server() as server:
        settings.PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL = server.url
        settings.PRICE_IMPORT_AWS_EC2_ENDPOINT_URL = server.url
        settings.PRICE_IMPORT_AWS_MAX_ATTEMPTS = 1
        fake.http = server
        yield fake


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def fake_gcp(settings: Settings) -> Iterator[FakeCloudCatalog]:
    fake = FakeCloudCatalog(skus=gcp_skus())
    with fake.server() as server:
        settings.PRICE_IMPORT_GCP_API_ENDPOINT = server.url
        settings.PRICE_IMPORT_GCP_ANONYMOUS = True
        fake.http = server
        yield fake
