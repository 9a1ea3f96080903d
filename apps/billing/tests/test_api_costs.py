"""GET /api/v1/costs: exact decimal strings, grouping, granularity, role scoping."""

from collections.abc import Callable
from pathlib import Path

import pytest

from apps.billing.services.billing_import import billing_import_file
from apps.billing.tests.factories import cur_row, write_csv

URL = "/api/v1/costs"


@pytest.fixture
def ledger(db: None, tmp_path: Path) -> None:
    rows = [
        cur_row(day="2024-01-05", cost="0.1", team="search", resource="i-1"),
        cur_row(day="2024-01-05", cost="0.2", team="assistant", resource="i-2"),
        cur_row(day="2024-01-06", cost="0.000000000000000000000003", team="", resource="i-1"),
        cur_row(
            day="2024-01-06",
            cost="10",
            line_type="SavingsPlanCoveredUsage",
            sp_effective="4.5",
            resource="i-3",
        ),
    ]
    run = billing_import_file(paths=[write_csv(tmp_path / "c.csv", rows)], triggered_by="test")
    assert run.status == "succeeded", run.error


def _get(client: object, **params: str) -> object:
    query = {"start": "2024-01-01", "end": "2024-02-01", **params}
    return client.get(URL, query)


@pytest.mark.parametrize("user_fixture", ["admin_user", "finance_user", "sre_user"])
def test_all_teams_roles_see_exact_daily_totals(
    request: pytest.FixtureRequest, client_for: Callable, ledger: None, user_fixture: str
) -> None:
    client = client_for(request.getfixturevalue(user_fixture))
    response = _get(client, group_by="provider")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {"period": "2024-01-05", "group": "AWS", "currency": "USD", "amount": "0.3"},
        {
            "period": "2024-01-06",
            "group": "AWS",
            "currency": "USD",
            "amount": "10.000000000000000000000003",
        },
    ]


def test_owner_sees_no_billing_cost_until_attribution_exists(
    owner_user, client_for: Callable, ledger: None
) -> None:
    response = _get(client_for(owner_user), group_by="service")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_token_without_read_scope_is_forbidden(
    finance_user, client_for: Callable, ledger: None
) -> None:
    response = _get(client_for(finance_user, scopes=["ingest:billing"]))
    assert response.status_code == 403


def test_group_by_tag_with_monthly_effective_cost(admin_user, client_for, ledger) -> None:  # noqa: ANN001
    response = _get(
        client_for(admin_user), group_by="tag:team", metric="effective_cost", granularity="month"
    )
    assert response.json()["results"] == [
        {
            "period": "2024-01-01",
            "group": "",
            "currency": "USD",
            "amount": "0.000000000000000000000003",
        },
        {"period": "2024-01-01", "group": "assistant", "currency": "USD", "amount": "0.2"},
        {"period": "2024-01-01", "group": "search", "currency": "USD", "amount": "4.6"},
    ]


def test_group_by_resource_and_list_cost(admin_user, client_for: Callable, ledger: None) -> None:
    response = _get(
        client_for(admin_user), group_by="resource", metric="list_cost", granularity="month"
    )
    amounts = {row["group"]: row["amount"] for row in response.json()["results"]}
    assert amounts == {"i-1": "0.100000000000000000000003", "i-2": "0.2", "i-3": "10"}


def test_dates_are_half_open(admin_user, client_for: Callable, ledger: None) -> None:
    response = client_for(admin_user).get(
        URL, {"start": "2024-01-05", "end": "2024-01-06", "group_by": "account"}
    )
    assert [row["period"] for row in response.json()["results"]] == ["2024-01-05"]


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "colour"},
        {"metric": "float_cost"},
        {"granularity": "hour"},
        {"end": "2023-12-01"},
        {"start": "yesterday"},
    ],
)
def test_bad_query_is_a_400(admin_user, client_for: Callable, ledger: None, params: dict) -> None:
    assert _get(client_for(admin_user), **params).status_code == 400


def test_cost_query_runs_a_fixed_number_of_queries(
    finance_user, client_for: Callable, ledger: None, django_assert_max_num_queries
) -> None:
    client = client_for(finance_user, scopes=["read"])
    with django_assert_max_num_queries(5):
        assert _get(client, group_by="sku").status_code == 200
