import pytest

from apps.accounts.access import access_for
from apps.catalog.tests.factories import ModelEndpointFactory
from apps.recommendations.models import Recommendation
from apps.recommendations.selectors import recommendation_list_open
from apps.recommendations.tests.factories import (
    RecommendationFactory,
    allocate,
    endpoint_days,
    price_book,
)

pytestmark = pytest.mark.django_db


def test_owner_page_shows_own_recommendations_and_plan(client, owner_user, team_a, team_b):
    RecommendationFactory(endpoint=ModelEndpointFactory(name="search-llm", team=team_a))
    RecommendationFactory(endpoint=ModelEndpointFactory(name="assistant-llm", team=team_b))
    client.force_login(owner_user)
    page = client.get("/recommendations/").content.decode()
    assert "Right-size search-llm" in page
    assert "assistant-llm" not in page
    assert 'id="plans"' in page


def test_list_include_renders_open_recommendations_for_a_team(owner_user, team_a):
    from django.template.loader import render_to_string

    RecommendationFactory(endpoint=ModelEndpointFactory(name="search-llm", team=team_a))
    RecommendationFactory(
        endpoint=ModelEndpointFactory(name="other", team=team_a),
        status="dismissed",
        dismissed_reason="x",
    )
    recs = recommendation_list_open(access=access_for(owner_user), team_ids=[team_a.id])
    html = render_to_string("recommendations/_list.html", {"recommendations": recs})
    assert "Right-size search-llm" in html
    assert "Right-size other" not in html


def test_what_if_form_post_recomputes_on_the_server(client, owner_user, team_a):
    price_book()
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    endpoint_days(ep, first=1, last=14)
    allocate()
    client.force_login(owner_user)
    assert client.get("/recommendations/what-if/").status_code == 200
    base = client.post("/recommendations/what-if/", {"endpoint_id": ep.id}).content.decode()
    assert "259.20" in base
    changed = client.post(
        "/recommendations/what-if/",
        {"endpoint_id": ep.id, "factor:tiering.simple_share": "0.5"},
    ).content.decode()
    assert "648.00" in changed
    assert Recommendation.objects.count() == 0  # nothing stored


def test_what_if_rejects_bad_numbers_and_other_teams_endpoints(client, owner_b_user, team_a):
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    client.force_login(owner_b_user)
    bad = client.post(
        "/recommendations/what-if/", {"endpoint_id": ep.id, "factor:tiering.simple_share": "x"}
    )
    assert bad.status_code == 400
    hidden = client.post("/recommendations/what-if/", {"endpoint_id": ep.id})
    assert hidden.status_code == 400
    assert "No endpoint" in hidden.content.decode()


def test_owner_accepts_and_dismisses_from_the_page(client, owner_user, owner_b_user, team_a):
    rec = RecommendationFactory(endpoint=ModelEndpointFactory(name="search-llm", team=team_a))
    client.force_login(owner_user)
    url = f"/recommendations/{rec.id}/status"
    assert client.post(url, {"status": "accepted"}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "accepted"
    page = client.post(url, {"status": "dismissed"}, follow=True).content.decode()
    assert "A reason is required" in page
    client.post(url, {"status": "dismissed", "reason": "retiring the model"})
    rec.refresh_from_db()
    assert rec.status == "dismissed"
    client.force_login(owner_b_user)
    page = client.post(url, {"status": "open"}, follow=True).content.decode()
    assert "No recommendation" in page
    rec.refresh_from_db()
    assert rec.status == "dismissed"
