from datetime import date

import pytest

from apps.reports.models import Budget
from apps.reports.tests.builders import FEB, JAN
from apps.reports.tests.figures import assert_page_matches_api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", ["2024-01", "2024-02"])
def test_every_finance_dashboard_number_equals_the_api(client_for, finance_user, world, month):
    Budget.objects.create(team=world["team_a"], period_start=JAN, amount=12)
    Budget.objects.create(team=world["team_b"], endpoint=world["chat"], period_start=FEB, amount=5)
    client = client_for(finance_user)
    page = client.get("/reports/finance", {"month": month})
    assert page.status_code == 200
    api = client.get("/api/v1/reports/finance-summary", {"month": month}).json()
    shown = assert_page_matches_api(page.content.decode(), api)
    assert shown >= 20
    assert 'src="/static/vendor/plotly/plotly.min.js"' in page.content.decode()


def test_finance_totals_equal_the_allocations_api(client_for, finance_user, world):
    client = client_for(finance_user)
    summary = client.get("/api/v1/reports/finance-summary", {"month": "2024-01"}).json()
    rows = client.get(
        "/api/v1/allocations", {"start": "2024-01-01", "end": "2024-02-01", "group_by": "team"}
    ).json()
    by_team = {r["group"]: r["billed_cost"] for r in rows}
    from decimal import Decimal

    assert {t["team"]: Decimal(t["billed_cost"]) for t in summary["by_team"]} == {
        k: Decimal(v) for k, v in by_team.items()
    }
    assert Decimal(summary["totals"]["billed_cost"]) == Decimal("17.4220")


def test_owner_dashboard_numbers_equal_the_api(client_for, owner_user, world):
    client = client_for(owner_user)
    page = client.get("/reports/owner", {"month": "2024-01"})
    assert page.status_code == 200
    api = client.get(
        "/api/v1/reports/owner-summary", {"month": "2024-01", "team": world["team_a"].id}
    ).json()
    assert [e["endpoint"] for e in api["endpoints"]] == ["rank"]
    assert api["endpoints"][0]["cost_per_1k_tokens"] == "5.8508"
    assert api["endpoints"][0]["idle_share"] == "0.072708"
    assert_page_matches_api(page.content.decode(), api)
    assert "chat" not in page.content.decode()


def test_owner_cannot_reach_another_teams_pages(client_for, owner_user, world):
    client = client_for(owner_user)
    other = world["team_b"].id
    assert client.get("/reports/owner", {"team": other, "month": "2024-01"}).status_code == 404
    assert client.get(f"/reports/statements/{other}/2024-01").status_code == 404
    assert client.get(f"/reports/weekly/{other}", {"week": "2024-01-01"}).status_code == 404
    assert client.get("/reports/finance", {"month": "2024-01"}).status_code == 403
    assert client.get("/api/v1/reports/finance-summary", {"month": "2024-01"}).status_code == 403
    api = client.get("/api/v1/reports/owner-summary", {"month": "2024-01", "team": other})
    assert api.status_code == 404


def test_statement_page_is_printable_with_rules_version(client_for, owner_user, world):
    page = client_for(owner_user).get(f"/reports/statements/{world['team_a'].id}/2024-01")
    content = page.content.decode()
    assert page.status_code == 200
    assert "shared:tax" in content
    assert "rules version" in content
    assert 'data-testid="total-billed">12.82<' in content


def test_reports_home_sends_each_role_to_its_dashboard(client_for, owner_user, finance_user, world):
    assert client_for(finance_user).get("/reports/").url == "/reports/finance"
    assert client_for(owner_user).get("/reports/").url == "/reports/owner"


def test_weekly_preview_shows_the_email_with_an_inline_chart(client_for, owner_user, world):
    page = client_for(owner_user).get(
        f"/reports/weekly/{world['team_a'].id}", {"week": date(2024, 1, 1)}
    )
    assert page.status_code == 200
    assert b"data:image/png;base64," in page.content
    assert b'data-testid="week-cost">11.70<' in page.content


def test_finance_closes_a_month_from_the_statement_page(
    client_for, finance_user, owner_user, world
):
    url = f"/reports/statements/{world['team_a'].id}/2024-01"
    assert client_for(owner_user).post(f"{url}/close").status_code == 403
    finance = client_for(finance_user)
    assert b"Close 2024-01" in finance.get(url).content
    assert finance.post(f"{url}/close").status_code == 302
    page = finance.get(url).content
    assert b'data-testid="status">closed<' in page
    assert b"Close 2024-01" not in page
