from datetime import date
from decimal import Decimal

import pytest

from apps.attribution.models import SharedCostRule
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item
from apps.catalog.tests.factories import ModelEndpointFactory

pytestmark = pytest.mark.django_db

Q = {"start": "2024-01-01", "end": "2024-02-01", "granularity": "month"}


@pytest.fixture
def allocated(team_a, team_b):
    ModelEndpointFactory(name="rank", team=team_a)
    ModelEndpointFactory(name="chat", team=team_b)
    line_item(cost="10", service_name="EC2", tags={"costgov:endpoint": "rank", "env": "prod"})
    line_item(cost="30", service_name="EC2", tags={"costgov:endpoint": "chat"})
    line_item(cost="4", service_name="Tax", charge_category="Tax", service_category="")
    line_item(cost="1", service_name="AWS Support", service_category="")
    SharedCostRule.objects.create(name="tax", match_charge_category="Tax", method="proportional")
    period_allocate(period_start=date(2024, 1, 1))


def _rows(response):
    assert response.status_code == 200, response.content
    return {r["group"]: Decimal(r["amount"]) for r in response.json()["results"]}


def test_costs_by_team_endpoint_and_category_come_from_the_allocation(
    client_for, finance_user, allocated
):
    client = client_for(finance_user)
    assert _rows(client.get("/api/v1/costs", {**Q, "group_by": "team"})) == {
        "search": Decimal("11"),
        "assistant": Decimal("33"),
        "(unallocated)": Decimal("1"),
    }
    assert _rows(client.get("/api/v1/costs", {**Q, "group_by": "category"})) == {
        "usage": Decimal("40"),
        "shared": Decimal("4"),
        "unallocated": Decimal("1"),
    }


def test_finance_ledger_groups_read_the_whole_ledger(client_for, finance_user, allocated):
    rows = _rows(client_for(finance_user).get("/api/v1/costs", {**Q, "group_by": "service"}))
    assert rows == {
        "EC2": Decimal("40"),
        "Tax": Decimal("4"),
        "AWS Support": Decimal("1"),
    }


def test_owner_ledger_groups_show_only_their_share(client_for, owner_user, allocated):
    client = client_for(owner_user)
    assert _rows(client.get("/api/v1/costs", {**Q, "group_by": "service"})) == {
        "EC2": Decimal("10"),
        "(shared)": Decimal("1"),
    }
    assert _rows(client.get("/api/v1/costs", {**Q, "group_by": "tag:env"})) == {
        "prod": Decimal("10"),
        "(shared)": Decimal("1"),
    }
    assert _rows(client.get("/api/v1/costs", {**Q, "group_by": "team"})) == {
        "search": Decimal("11")
    }


def test_unknown_grouping_lists_the_choices(client_for, finance_user, allocated):
    response = client_for(finance_user).get("/api/v1/costs", {**Q, "group_by": "colour"})
    assert response.status_code == 400
    assert "team" in str(response.json()["group_by"])
