from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import Team, User
from apps.catalog.models import ModelEndpoint
from apps.catalog.tests.factories import ModelEndpointFactory


@pytest.fixture
def endpoint_a(team_a: Team) -> ModelEndpoint:
    """team_a's endpoint: 2 accelerators per replica."""
    return ModelEndpointFactory(
        name="search-rerank", team=team_a, accelerator_type="A100-80GB", accelerator_count=2
    )


@pytest.fixture
def endpoint_b(team_b: Team) -> ModelEndpoint:
    return ModelEndpointFactory(name="assistant-chat", team=team_b, accelerator_type="H100")


@pytest.fixture
def ingest_client(
    client_for: Callable[..., APIClient], sre_user: User, endpoint_a: ModelEndpoint
) -> APIClient:
    """An SRE token with the ingest scope (writes any team's endpoints)."""
    return client_for(sre_user, scopes=["ingest:telemetry"])


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters() -> None:
    """Rate-limit counters live in Redis, outside the test transaction; token ids restart in
    each new test database, so a counter left by an earlier run must not leak in."""
    cache.clear()


@pytest.fixture
def clean_raw_events() -> Iterator[None]:
    """Transactional tests commit raw rows, which Django's flush does not know about."""
    yield
    with connection.cursor() as cur:
        cur.execute("TRUNCATE telemetry_event")
