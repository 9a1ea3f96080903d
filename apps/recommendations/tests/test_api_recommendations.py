from decimal import Decimal

import pytest

from apps.catalog.tests.factories import ModelEndpointFactory
from apps.recommendations.tests.factories import (
    RecommendationFactory,
    allocate,
    endpoint_days,
    price_book,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommendations"


@pytest.fixture
def recs(team_a: object, team_b: object) -> dict:
    ep_a = ModelEndpointFactory(name="search-llm", team=team_a)
    ep_b = ModelEndpointFactory(name="assistant-llm", team=team_b)
    return {
        "a": RecommendationFactory(endpoint=ep_a),
        "a2": RecommendationFactory(endpoint=ep_a, lever="batching", savings_monthly=100),
        "b": RecommendationFactory(endpoint=ep_b),
    }


def test_owner_lists_only_their_teams_recommendations(client_for, owner_user, recs):
    body = client_for(owner_user).get(URL).json()
    assert {r["id"] for r in body["results"]} == {recs["a"].id, recs["a2"].id}
    first = body["results"][0]
    assert first["endpoint"] == "search-llm"
    assert first["savings_monthly"] == "720.0000000000"
    assert first["status"] == "open"


def test_finance_sees_every_team_and_filters_by_lever(client_for, finance_user, recs):
    client = client_for(finance_user)
    assert client.get(URL).json()["count"] == 3
    body = client.get(URL, {"lever": "batching"}).json()
    assert [r["id"] for r in body["results"]] == [recs["a2"].id]


def test_list_query_count_does_not_grow_with_rows(
    client_for, finance_user, recs, django_assert_max_num_queries
):
    client = client_for(finance_user)
    for _ in range(10):
        RecommendationFactory(endpoint=ModelEndpointFactory())
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_owner_walks_the_lifecycle_through_patch(client_for, owner_user, recs):
    client = client_for(owner_user)
    url = f"{URL}/{recs['a'].id}"
    assert client.patch(url, {"status": "accepted"}, format="json").json()["status"] == "accepted"
    missing_date = client.patch(url, {"status": "implemented"}, format="json")
    assert missing_date.status_code == 400
    assert "implemented_on" in missing_date.json()["detail"]
    done = client.patch(
        url, {"status": "implemented", "implemented_on": "2026-10-11"}, format="json"
    )
    assert done.json()["implemented_on"] == "2026-10-11"
    not_measured = client.patch(url, {"status": "verified"}, format="json")
    assert not_measured.status_code == 400


def test_invalid_transition_and_dismissal_without_reason_are_rejected(client_for, owner_user, recs):
    client = client_for(owner_user)
    url = f"{URL}/{recs['a'].id}"
    assert client.patch(url, {"status": "verified"}, format="json").status_code == 400
    assert client.patch(url, {"status": "dismissed"}, format="json").status_code == 400
    ok = client.patch(url, {"status": "dismissed", "reason": "retiring"}, format="json")
    assert ok.json()["dismissed_reason"] == "retiring"


def test_owner_cannot_touch_another_teams_recommendation(client_for, owner_b_user, recs):
    client = client_for(owner_b_user)
    url = f"{URL}/{recs['a'].id}"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"status": "accepted"}, format="json").status_code == 404
    recs["a"].refresh_from_db()
    assert recs["a"].status == "open"


def test_accuracy_endpoint_lists_measured_levers(client_for, finance_user, recs):
    rec = recs["a"]
    rec.status = "implemented"
    rec.implemented_on = "2026-10-11"
    rec.realized_savings_monthly = Decimal("360")
    rec.save()
    body = client_for(finance_user).get(f"{URL}/accuracy").json()
    assert body == [
        {
            "lever": "right_sizing",
            "measured": 1,
            "projected": "720.00",
            "realized": "360.00",
            "accuracy": "0.5000",
        }
    ]


def test_what_if_json_recomputes_with_changed_share_and_price(client_for, owner_user, team_a):
    price_book()
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    endpoint_days(ep, first=1, last=14)
    allocate()
    client = client_for(owner_user)
    base = client.post(f"{URL}/whatif", {"endpoint_id": ep.id}, format="json").json()
    levers = {row["lever"]: row for row in base["levers"]}
    assert base["current_monthly_cost"] == "1440.00"
    assert levers["model_tiering"]["savings_monthly"] == "259.20"
    changed = client.post(
        f"{URL}/whatif",
        {"endpoint_id": ep.id, "factors": {"tiering.simple_share": "0.5"}},
        format="json",
    ).json()
    tiering = next(r for r in changed["levers"] if r["lever"] == "model_tiering")
    assert tiering["savings_monthly"] == "648.00"
    assert tiering["factors"]["tiering.simple_share"]["origin"] == "what-if"
    # Plan stacks without double counting: never more than the cost.
    assert Decimal(changed["plan_savings_monthly"]) <= Decimal("1440")
    pricier = client.post(
        f"{URL}/whatif",
        {"endpoint_id": ep.id, "prices": {"commit_1y_hourly": "0.5", "on_demand_hourly": "2"}},
        format="json",
    ).json()
    # A price edit keeps the 2 replicas measured at the price-book price.
    sizing = next(r for r in pricier["levers"] if r["lever"] == "right_sizing")
    assert sizing["details"]["replicas_today"] == "2.00"
    assert Decimal(pricier["price"]["on_demand_hourly"]) == 2
    unknown = client.post(
        f"{URL}/whatif", {"endpoint_id": ep.id, "factors": {"nope": "1"}}, format="json"
    )
    assert unknown.status_code == 400
