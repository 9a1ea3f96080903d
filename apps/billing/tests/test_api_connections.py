"""/api/v1/billing/connections: admins write; admin, finance and SRE read; owners see nothing."""

from collections.abc import Callable

import pytest

from apps.billing.choices import ConnectionKind
from apps.billing.models import CloudConnection

URL = "/api/v1/billing/connections"


def _connection(name: str, kind: str = ConnectionKind.S3, location: str = "") -> CloudConnection:
    default = "s3://billing-exports/cur" if kind == ConnectionKind.S3 else "bq://proj-b.ds.tbl"
    return CloudConnection.objects.create(name=name, kind=kind, location=location or default)


def test_admin_creates_updates_and_deletes_a_connection(admin_user, client_for: Callable) -> None:
    client = client_for(admin_user)
    response = client.post(
        URL,
        {
            "name": "gcp-main",
            "kind": "bigquery",
            "location": "bq://proj-billing.billing_export.gcp_billing_export_v1_0A1B2C",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_enabled"] is True
    assert body["last_status"] == ""
    assert body["last_run_at"] is None

    response = client.patch(f"{URL}/{body['id']}", {"is_enabled": False}, format="json")
    assert response.status_code == 200
    assert CloudConnection.objects.get().is_enabled is False
    assert client.delete(f"{URL}/{body['id']}").status_code == 204


@pytest.mark.parametrize(
    ("kind", "location"),
    [
        ("s3", "bq://proj-billing.ds.tbl"),
        ("bigquery", "s3://bucket/prefix"),
        ("bigquery", "bq://proj-billing.ds.tbl?month=202611"),
        ("bigquery", "bq://not a table"),
        ("s3", "s3:///no-bucket"),
    ],
)
def test_location_must_suit_the_kind(
    admin_user, client_for: Callable, kind: str, location: str
) -> None:
    response = client_for(admin_user).post(
        URL, {"name": "x", "kind": kind, "location": location}, format="json"
    )
    assert response.status_code == 400
    assert "location" in response.json()


@pytest.mark.parametrize("role_user", ["finance_user", "sre_user", "admin_user"])
def test_finance_sre_and_admin_list_connections_in_constant_queries(
    role_user: str, request: pytest.FixtureRequest, client_for: Callable, django_assert_num_queries
) -> None:
    client = client_for(request.getfixturevalue(role_user))
    _connection("aws-main")
    _connection("gcp-main", ConnectionKind.BIGQUERY)
    client.get(URL)  # warm the session
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == ["aws-main", "gcp-main"]
    _connection("aws-other")
    with django_assert_num_queries(4):
        assert client.get(URL).json()["count"] == 3


def test_owners_cannot_read_and_finance_cannot_write(
    owner_user, finance_user, client_for: Callable
) -> None:
    connection = _connection("aws-main")
    assert client_for(owner_user).get(URL).status_code == 403
    assert client_for(owner_user).get(f"{URL}/{connection.pk}").status_code == 403
    finance = client_for(finance_user)
    response = finance.post(URL, {"name": "x", "kind": "s3", "location": "s3://b/p"}, format="json")
    assert response.status_code == 403
    assert finance.delete(f"{URL}/{connection.pk}").status_code == 403
    assert CloudConnection.objects.count() == 1
