import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from apps.reports.models import Statement

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/chargeback"


def test_finance_gets_every_teams_statement_as_json(client_for, finance_user, world):
    response = client_for(finance_user).get(URL, {"period": "2024-01"})
    assert response.status_code == 200, response.content
    statements = {s["team"]: s for s in response.json()["statements"]}
    assert set(statements) == {"search", "assistant"}
    assert statements["search"]["totals"]["billed_cost"] == "12.821584686064318529862175"
    assert statements["search"]["rule_set_id"] is not None


def test_owner_sees_only_their_team_and_gets_404_for_another(client_for, owner_user, world):
    client = client_for(owner_user)
    statements = client.get(URL, {"period": "2024-01"}).json()["statements"]
    assert [s["team"] for s in statements] == ["search"]
    other = client.get(URL, {"period": "2024-01", "team": world["team_b"].id})
    assert other.status_code == 404


def test_csv_export_has_lines_shared_rules_and_a_rounded_total(client_for, finance_user, world):
    response = client_for(finance_user).get(
        URL, {"period": "2024-01", "team": world["team_a"].id, "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "chargeback-2024-01.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("line") == 3
    assert "shared_rule" in kinds
    assert kinds[-1] == "total"
    assert Decimal(rows[-1]["billed_cost"]) == Decimal("12.82")


def test_xlsx_export_opens_with_the_same_rows_as_csv(client_for, finance_user, world):
    client = client_for(finance_user)
    query = {"period": "2024-01", "team": world["team_a"].id}
    xlsx = client.get(URL, {**query, "format": "xlsx"})
    csv_rows = list(
        csv.reader(io.StringIO(client.get(URL, {**query, "format": "csv"}).content.decode()))
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    xlsx_rows = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert len(xlsx_rows) == len(csv_rows)
    assert Decimal(xlsx_rows[-1][9]) == Decimal(csv_rows[-1][9])


def test_chargeback_of_every_team_stays_within_its_query_budget(
    client_for, finance_user, world, django_assert_max_num_queries
):
    client = client_for(finance_user)
    with django_assert_max_num_queries(20):
        assert client.get(URL, {"period": "2024-01"}).status_code == 200


def test_only_finance_and_admin_close_months(
    client_for, owner_user, sre_user, finance_user, admin_user, world
):
    body = {"period": "2024-01", "team": world["team_a"].id}
    assert client_for(owner_user).post(f"{URL}/close", body, format="json").status_code == 403
    assert client_for(sre_user).post(f"{URL}/close", body, format="json").status_code == 403
    first = client_for(finance_user).post(f"{URL}/close", body, format="json")
    assert first.status_code == 200, first.content
    again = client_for(admin_user).post(f"{URL}/close", body, format="json")
    assert again.json()["closed"] == first.json()["closed"]
    assert Statement.objects.count() == 1
    closed = (
        client_for(finance_user).get(URL, {"period": "2024-01", "team": world["team_a"].id}).json()
    )
    assert closed["statements"][0]["status"] == "closed"
    assert closed["statements"][0]["content_sha256"] == first.json()["closed"][0]["content_sha256"]


def test_bad_period_is_a_400(client_for, finance_user, world):
    assert client_for(finance_user).get(URL, {"period": "2024-13"}).status_code == 400
