from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item
from apps.reports.models import Budget
from apps.reports.tests.builders import JAN

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/finance-summary"


@pytest.fixture
def cache_on(settings) -> None:
    settings.REPORTS_CACHE_SECONDS = 300
    settings.REPORTS_VERSION_SECONDS = 0


def test_a_cached_summary_costs_one_fingerprint_query(client_for, finance_user, world, cache_on):
    client = client_for(finance_user)
    first = client.get(URL, {"month": "2024-01"}).json()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"month": "2024-01"}).json() == first
    report_queries = [
        q for q in queries.captured_queries if "attribution_costallocation" in q["sql"]
    ]
    assert report_queries == []


def test_a_new_allocation_run_or_budget_edit_shows_at_once(
    client_for, finance_user, world, cache_on
):
    client = client_for(finance_user)
    before = client.get(URL, {"month": "2024-01"}).json()
    line_item(cost="3", resource_id="i-rank", day=date(2024, 1, 20))
    period_allocate(period_start=JAN)
    after = client.get(URL, {"month": "2024-01"}).json()
    assert Decimal(after["totals"]["billed_cost"]) == Decimal(before["totals"]["billed_cost"]) + 3
    Budget.objects.create(team=world["team_a"], period_start=JAN, amount=10)
    assert len(client.get(URL, {"month": "2024-01"}).json()["budgets"]) == 1


def test_the_cache_never_crosses_teams(client_for, owner_user, owner_b_user, world, cache_on):
    url = "/api/v1/reports/chargeback"
    mine = client_for(owner_user).get(url, {"period": "2024-01"}).json()["statements"]
    theirs = client_for(owner_b_user).get(url, {"period": "2024-01"}).json()["statements"]
    assert [s["team"] for s in mine] == ["search"]
    assert [s["team"] for s in theirs] == ["assistant"]


def test_cached_budget_list_shows_a_new_budget_at_once(client_for, finance_user, team_a, cache_on):
    client = client_for(finance_user)
    assert client.get("/api/v1/reports/budgets").json()["count"] == 0
    body = {"team": team_a.id, "period": "2024-01", "amount": "5"}
    assert client.post("/api/v1/reports/budgets", body, format="json").status_code == 201
    assert client.get("/api/v1/reports/budgets").json()["count"] == 1


def test_cached_pages_render_from_the_cache(client_for, finance_user, owner_user, world, cache_on):
    for client, url in (
        (client_for(finance_user), "/reports/finance?month=2024-01"),
        (client_for(owner_user), "/reports/owner?month=2024-01"),
        (client_for(owner_user), f"/reports/statements/{world['team_a'].id}/2024-01"),
    ):
        first = client.get(url).content
        second = client.get(url).content
        assert b'<table class="grid">' in second  # the cached body is HTML, not escaped text
        assert first.split(b"<main>")[1] == second.split(b"<main>")[1]  # the frame has a CSRF token
