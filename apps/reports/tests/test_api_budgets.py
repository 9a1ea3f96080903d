import pytest

from apps.reports.models import Budget
from apps.reports.tests.builders import JAN

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/budgets"


def test_finance_creates_updates_and_deletes_budgets(client_for, finance_user, team_a):
    client = client_for(finance_user)
    created = client.post(
        URL, {"team": team_a.id, "period": "2024-01", "amount": "100.00"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "100.0000000000"
    url = f"{URL}/{created.json()['id']}"
    assert client.patch(url, {"amount": "150"}, format="json").json()["amount"] == "150.0000000000"
    assert client.delete(url).status_code == 204
    assert not Budget.objects.exists()


def test_duplicate_and_non_positive_budgets_are_rejected(client_for, finance_user, team_a):
    client = client_for(finance_user)
    body = {"team": team_a.id, "period": "2024-01", "amount": "100"}
    assert client.post(URL, body, format="json").status_code == 201
    assert client.post(URL, body, format="json").status_code == 400
    assert (
        client.post(URL, {**body, "period": "2024-02", "amount": "0"}, format="json").status_code
        == 400
    )


def test_endpoint_budget_must_belong_to_the_team(client_for, finance_user, world):
    body = {
        "team": world["team_a"].id,
        "endpoint": world["chat"].id,
        "period": "2024-01",
        "amount": "5",
    }
    assert client_for(finance_user).post(URL, body, format="json").status_code == 400


def test_owners_read_only_their_teams_budgets_and_cannot_write(
    client_for, owner_user, team_a, team_b
):
    Budget.objects.create(team=team_a, period_start=JAN, amount=100)
    Budget.objects.create(team=team_b, period_start=JAN, amount=200)
    client = client_for(owner_user)
    rows = client.get(URL).json()["results"]
    assert [r["team_name"] for r in rows] == ["search"]
    body = {"team": team_a.id, "period": "2024-02", "amount": "1"}
    assert client.post(URL, body, format="json").status_code == 403


def test_budget_list_uses_a_fixed_number_of_queries(
    client_for, finance_user, world, django_assert_num_queries
):
    for month in range(1, 7):
        Budget.objects.create(team=world["team_a"], period_start=JAN.replace(month=month), amount=1)
        Budget.objects.create(
            team=world["team_a"],
            endpoint=world["rank"],
            period_start=JAN.replace(month=month),
            amount=1,
        )
    client = client_for(finance_user)
    client.get(URL)  # warm the session
    with django_assert_num_queries(4):
        assert len(client.get(URL).json()["results"]) == 12
