from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.tests.factories import ModelEndpointFactory
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.tests.factories import event, recent_ts

pytestmark = pytest.mark.django_db
URL = "/api/v1/usage"


def ingest(events):
    telemetry_events_ingest(events=events, team_ids=None, now=timezone.now(), retention_days=90)


@pytest.fixture
def usage(endpoint_a, endpoint_b):
    """endpoint_a: 3 events two hours ago + 1 an hour ago; endpoint_b: 2 events."""
    two_hours = (recent_ts(2) + timedelta(minutes=1)).isoformat()
    ingest(
        [event(endpoint_a.name, ts=two_hours, latency_ms=100 * (i + 1)) for i in range(3)]
        + [event(endpoint_a.name, lane="batch", status="error")]
        + [event(endpoint_b.name, customer="globex") for _ in range(2)]
    )


def query(**params):
    base = {"start": recent_ts(6).isoformat(), "end": recent_ts(-1).isoformat()}
    return base | params


def by_endpoint(response) -> dict:
    totals: dict = {}
    for row in response.json()["results"]:
        totals[row["endpoint"]] = totals.get(row["endpoint"], 0) + row["requests"]
    return totals


@pytest.mark.parametrize("role_user", ["admin_user", "finance_user", "sre_user"])
def test_finance_sre_and_admin_see_every_team(request, client_for, usage, role_user):
    client = client_for(request.getfixturevalue(role_user))
    response = client.get(URL, query(granularity="day"))
    assert response.status_code == 200
    assert by_endpoint(response) == {"search-rerank": 4, "assistant-chat": 2}


def test_owner_sees_only_their_teams_endpoints(client_for, owner_user, owner_b_user, usage):
    assert by_endpoint(client_for(owner_user).get(URL, query())) == {"search-rerank": 4}
    assert by_endpoint(client_for(owner_b_user).get(URL, query())) == {"assistant-chat": 2}


def test_team_bound_token_sees_only_its_team(client_for, admin_user, team_b, usage):
    client = client_for(admin_user, scopes=["read"], team=team_b)
    assert by_endpoint(client.get(URL, query())) == {"assistant-chat": 2}


def test_hourly_rows_carry_sums_gpu_seconds_and_percentiles(client_for, finance_user, usage):
    rows = client_for(finance_user).get(URL, query(group_by="endpoint,lane")).json()["results"]
    first = rows[0]
    assert first["period_start"] == recent_ts(2).isoformat().replace("+00:00", "Z")
    assert (first["endpoint"], first["lane"], first["requests"]) == (
        "search-rerank",
        "interactive",
        3,
    )
    assert first["latency_ms_sum"] == 600
    assert first["gpu_seconds"] == "1.200000"  # (100+200+300) ms x 2 GPUs
    assert 100 <= first["latency_p50_ms"] <= 300
    assert 300 <= first["latency_p99_ms"] < 500  # inside the bucket of the true p99 (300)
    assert [r["errors"] for r in rows if r["lane"] == "batch"] == [1]


def test_daily_granularity_groups_by_customer(client_for, sre_user, usage):
    rows = client_for(sre_user).get(URL, query(granularity="day", group_by="customer"))
    totals = {(r["customer"], r["requests"]) for r in rows.json()["results"]}
    assert totals == {("acme", 4), ("globex", 2)}
    assert all("endpoint" not in r for r in rows.json()["results"])


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "colour"},
        {"granularity": "week"},
        {"end": recent_ts(10).isoformat()},
        {"start": "yesterday"},
    ],
)
def test_bad_query_is_400(client_for, sre_user, params):
    assert client_for(sre_user).get(URL, query(**params)).status_code == 400


def test_usage_needs_authentication(api_client):
    assert api_client.get(URL, query()).status_code == 401


def test_usage_query_count_does_not_grow_with_rows(
    client_for, owner_user, team_a, django_assert_num_queries
):
    client = client_for(owner_user)
    endpoints = [ModelEndpointFactory(team=team_a) for _ in range(3)]
    ingest([event(endpoints[0].name)])
    # Rollup apply (newest batch id, savepoint, lock, take, plan settings, add, settings reset,
    # release), then session + user + team ids + count + page.
    with django_assert_num_queries(13):
        assert client.get(URL, query()).json()["count"] == 1
    ingest([event(e.name, customer=f"c{i}") for i, e in enumerate(endpoints * 10)])
    with django_assert_num_queries(13):
        assert client.get(URL, query(group_by="endpoint,customer")).json()["count"] == 31
