from datetime import date
from decimal import Decimal

import pytest

from apps.attribution.models import SharedCostRule
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item, rollup
from apps.catalog.tests.factories import (
    AttributionRuleFactory,
    ModelEndpointFactory,
    PriceBookEntryFactory,
)

pytestmark = pytest.mark.django_db

Q = {"start": "2024-01-01", "end": "2024-02-01"}


@pytest.fixture
def allocated(team_a, team_b):
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    rank = ModelEndpointFactory(name="rank", team=team_a)
    chat = ModelEndpointFactory(name="chat", team=team_b)
    AttributionRuleFactory(endpoint=rank, kind="resource", tag_key="", values=[], pattern="i-rank")
    line_item(cost="10", resource_id="i-rank", tags={"costgov:endpoint": "rank"})
    pool = line_item(cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge")
    rollup(endpoint=rank, resource_id="i-pool", gpu_seconds="2160", customer="acme", tokens=2000)
    rollup(endpoint=chat, resource_id="i-pool", gpu_seconds="5040", customer="globex", tokens=500)
    rollup(
        endpoint=chat,
        resource_id="i-pool",
        gpu_seconds="0",
        customer="initech",
        tokens=0,
        requests=2,
    )
    line_item(cost="1.50", charge_category="Tax", service_name="Tax", service_category="")
    line_item(cost="0.25", service_name="AWS Support", service_category="")
    SharedCostRule.objects.create(name="tax", match_charge_category="Tax", method="proportional")
    period_allocate(period_start=date(2024, 1, 1))
    return {"rank": rank, "chat": chat, "pool": pool}


def _rows(response):
    assert response.status_code == 200, response.content
    return {(r["group"], r["currency"]): Decimal(r["billed_cost"]) for r in response.json()}


def test_finance_sees_every_team_and_the_unallocated_cost(client_for, finance_user, allocated):
    rows = _rows(client_for(finance_user).get("/api/v1/allocations", {**Q, "group_by": "team"}))
    assert set(rows) == {("search", "USD"), ("assistant", "USD"), ("(unallocated)", "USD")}
    assert rows[("(unallocated)", "USD")] == Decimal("0.25")
    assert sum(rows.values()) == Decimal("17.4220")


def test_owner_sees_only_their_team_in_every_grouping(client_for, owner_user, allocated):
    client = client_for(owner_user)
    teams = _rows(client.get("/api/v1/allocations", {**Q, "group_by": "team"}))
    assert list(teams) == [("search", "USD")]
    endpoints = _rows(client.get("/api/v1/allocations", {**Q, "group_by": "endpoint"}))
    assert set(endpoints) == {("rank", "USD"), ("(team or platform)", "USD")}
    customers = _rows(client.get("/api/v1/allocations", {**Q, "group_by": "customer"}))
    assert "globex" not in {g for g, _ in customers}
    assert sum(customers.values()) == sum(teams.values())


def test_category_grouping_shows_usage_idle_shared_and_unallocated(client_for, sre_user, allocated):
    rows = _rows(client_for(sre_user).get("/api/v1/allocations", {**Q, "group_by": "category"}))
    assert rows == {
        ("idle", "USD"): Decimal("2.836"),
        ("shared", "USD"): Decimal("1.50"),
        ("unallocated", "USD"): Decimal("0.25"),
        ("usage", "USD"): Decimal("12.836"),
    }


def test_monthly_and_daily_granularity(client_for, finance_user, allocated):
    client = client_for(finance_user)
    month = client.get("/api/v1/allocations", {**Q, "group_by": "team"}).json()
    assert {r["period"] for r in month} == {"2024-01-01"}
    day = client.get("/api/v1/allocations", {**Q, "group_by": "team", "granularity": "day"}).json()
    assert {r["period"] for r in day} == {"2024-01-05"}


def test_bad_query_names_the_field(client_for, finance_user, allocated):
    response = client_for(finance_user).get(
        "/api/v1/allocations", {"start": "2024-02-01", "end": "2024-01-01", "group_by": "nope"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"group_by"}


def test_explain_lists_every_line_item_rule_and_share(client_for, finance_user, allocated):
    response = client_for(finance_user).get("/api/v1/allocations/chat/2024-01-05/explain")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["endpoint"], body["team"]) == ("chat", "assistant")
    assert [(p["category"], p["evidence"], p["rule"]) for p in body["parts"]] == [
        ("idle", "telemetry", "pool:i-pool"),
        ("usage", "telemetry", "pool:i-pool"),
    ]
    usage = body["parts"][1]
    assert usage["line_item"]["id"] == allocated["pool"].id
    assert Decimal(usage["weight"]) == Decimal("5040")
    assert Decimal(usage["weight_total"]) == Decimal("7200")
    assert Decimal(usage["billed_cost"]) == Decimal("1.9852")
    assert Decimal(body["totals"]["USD"]["usage"]["billed_cost"]) == Decimal("1.9852")
    assert body["runs"][0]["rule_set_version"] is not None


def test_owner_cannot_explain_another_teams_endpoint(client_for, owner_user, allocated):
    response = client_for(owner_user).get("/api/v1/allocations/chat/2024-01-05/explain")
    assert response.status_code == 404


def test_unit_costs_per_endpoint_day(client_for, finance_user, allocated):
    response = client_for(finance_user).get(
        "/api/v1/allocations/unit-costs", {**Q, "endpoint": "chat"}
    )
    [row] = response.json()
    # chat: usage 1.9852 + idle 1.9852 = 3.9704 over 500 tokens (250 in, 250 out), 12 requests
    assert Decimal(row["cost"]) == Decimal("3.9704")
    assert Decimal(row["idle_share"]) == Decimal("0.5")
    assert Decimal(row["cost_per_1k_tokens"]) == Decimal("7.9408")
    assert Decimal(row["cost_per_1k_input_tokens"]) == Decimal("15.8816")
    assert Decimal(row["cost_per_request"]) == (Decimal("3.9704") / 12).quantize(Decimal("1e-10"))
    assert (row["requests"], row["input_tokens"], row["output_tokens"]) == (12, 250, 250)


def test_recompute_request_is_queued_for_finance_and_refused_for_owners(
    client_for, finance_user, owner_user, allocated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ok = client_for(finance_user).post("/api/v1/allocations/runs", {"period": "2024-01"})
    assert ok.status_code == 202
    assert len(callbacks) == 1
    refused = client_for(owner_user).post("/api/v1/allocations/runs", {"period": "2024-01"})
    assert refused.status_code == 403
    runs = client_for(finance_user).get("/api/v1/allocations/runs").json()["results"]
    assert runs[0]["status"] == "succeeded"
    assert runs[0]["ledger_totals"] == runs[0]["allocated_totals"]


def test_only_admins_change_shared_rules(client_for, admin_user, finance_user, team_a):
    body = {"name": "support", "method": "fixed", "percentages": {"search": "60", "ghost": "10"}}
    refused = client_for(finance_user).post("/api/v1/attribution/shared-rules", body, format="json")
    assert refused.status_code == 403
    bad = client_for(admin_user).post("/api/v1/attribution/shared-rules", body, format="json")
    assert bad.status_code == 400
    assert "ghost" in str(bad.json())
    body["percentages"] = {"search": "60"}
    ok = client_for(admin_user).post("/api/v1/attribution/shared-rules", body, format="json")
    assert ok.status_code == 201, ok.content
