from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.anomalies.models import Anomaly, Monitor
from apps.catalog.tests.factories import ModelEndpointFactory

pytestmark = pytest.mark.django_db

AT = datetime(2024, 1, 9, 10, tzinfo=UTC)


def anomaly_for(team, name: str) -> Anomaly:
    endpoint = ModelEndpointFactory(name=name, team=team)
    monitor = Monitor.objects.create(
        key=f"endpoint:{name}:hour", kind="endpoint", subject=name, granularity="hour",
        endpoint=endpoint, team=team,
    )  # fmt: skip
    return Anomaly.objects.create(
        monitor=monitor, team=team, endpoint=endpoint, signal="cost", direction="up",
        start_at=AT, end_at=AT.replace(hour=14), anomalous_points=4, actual_cost=Decimal(12),
        expected_cost=Decimal(8), impact=Decimal(4), currency="USD",
        contributors=[{"dimension": "resource_id", "value": "i-c", "share_of_delta": 1.0,
                       "delta": 4.0}],
        points=[{"t": AT.isoformat(), "actual": 3, "expected": 2, "lower": 1.9, "upper": 2.1,
                 "anomalous": True}],
    )  # fmt: skip


@pytest.fixture
def two(team_a, team_b):
    return anomaly_for(team_a, "rank"), anomaly_for(team_b, "chat")


def test_owner_lists_only_their_teams_anomalies(two, owner_user, client_for):
    response = client_for(owner_user).get("/api/v1/anomalies")
    assert response.status_code == 200
    assert [row["subject"] for row in response.json()["results"]] == ["rank"]
    assert response.json()["results"][0]["impact"] == "4.0000000000"


@pytest.mark.parametrize("user", ["sre_user", "finance_user", "admin_user"])
def test_sre_finance_and_admin_see_every_team(two, user, request, client_for):
    response = client_for(request.getfixturevalue(user)).get("/api/v1/anomalies")
    assert sorted(row["subject"] for row in response.json()["results"]) == ["chat", "rank"]


def test_list_query_count_does_not_grow_with_rows(two, team_a, sre_user, client_for):
    client = client_for(sre_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/anomalies")
    for n in range(5):
        anomaly_for(team_a, f"extra-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/anomalies")
    assert len(many) == len(few)


def test_sre_acknowledges_then_resolves(two, sre_user, client_for):
    rank, _ = two
    client = client_for(sre_user)
    ack = client.patch(f"/api/v1/anomalies/{rank.id}", {"status": "acknowledged"}, format="json")
    assert ack.status_code == 200
    assert (ack.json()["status"], ack.json()["acknowledged_by"]) == ("acknowledged", "sam")
    done = client.patch(f"/api/v1/anomalies/{rank.id}", {"status": "resolved"}, format="json")
    assert done.json()["status"] == "resolved"
    again = client.patch(f"/api/v1/anomalies/{rank.id}", {"status": "acknowledged"}, format="json")
    assert again.status_code == 409


def test_owner_cannot_touch_another_teams_anomaly(two, owner_user, client_for):
    _, chat = two
    response = client_for(owner_user).patch(
        f"/api/v1/anomalies/{chat.id}", {"status": "acknowledged"}, format="json"
    )
    assert response.status_code == 404


def test_not_an_anomaly_feedback_tunes_the_monitor(two, owner_user, client_for):
    rank, _ = two
    response = client_for(owner_user).patch(
        f"/api/v1/anomalies/{rank.id}", {"feedback": "not_anomaly", "note": "load test"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["feedback"], response.json()["status"]) == ("not_anomaly", "resolved")
    monitor = Monitor.objects.get(pk=rank.monitor_id)
    assert monitor.sensitivity == 1.5
    assert monitor.suppress_below_impact == Decimal("5")


def test_read_only_token_cannot_patch(two, sre_user, client_for):
    rank, _ = two
    client = client_for(sre_user, scopes=["ingest:telemetry"])
    response = client.patch(f"/api/v1/anomalies/{rank.id}", {"status": "resolved"}, format="json")
    assert response.status_code == 403


def test_sre_page_lists_and_charts_with_vendored_plotly(two, sre_user, client):
    rank, _ = two
    client.force_login(sre_user)
    listing = client.get("/anomalies/")
    assert listing.status_code == 200
    assert b"resource_id=i-c" in listing.content
    detail = client.get(f"/anomalies/{rank.id}/")
    assert b"vendor/plotly/plotly.min.js" in detail.content
    assert b"anomaly-chart" in detail.content
    assert b"4.00 USD</td>" in detail.content  # a cost anomaly's contributor delta, in money
    response = client.post(f"/anomalies/{rank.id}/action", {"action": "acknowledge"})
    assert response.status_code == 302
    rank.refresh_from_db()
    assert rank.status == "acknowledged"
