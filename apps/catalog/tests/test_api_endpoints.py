import pytest

from apps.catalog.models import ModelEndpoint
from apps.catalog.tests.factories import AttributionRuleFactory, ModelEndpointFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalog/endpoints/"


@pytest.fixture
def endpoints(team_a, team_b):
    a = ModelEndpointFactory(name="search-rerank", team=team_a, lanes=["interactive", "batch"])
    AttributionRuleFactory(endpoint=a)
    b = ModelEndpointFactory(name="assistant-chat", team=team_b)
    AttributionRuleFactory(endpoint=b, kind="resource", tag_key="", values=[], pattern="i-0abc*")
    return a, b


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(e["name"] for e in response.json()["results"])


@pytest.mark.parametrize("role_fixture", ["admin_user", "finance_user", "sre_user"])
def test_admin_finance_and_sre_see_every_endpoint(request, client_for, endpoints, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert _names(client_for(user).get(URL)) == ["assistant-chat", "search-rerank"]


def test_owner_sees_only_their_teams_endpoints(client_for, owner_user, endpoints):
    assert _names(client_for(owner_user).get(URL)) == ["search-rerank"]


def test_owner_gets_404_for_another_teams_endpoint(client_for, owner_user, endpoints):
    assert client_for(owner_user).get(f"{URL}assistant-chat/").status_code == 404


def test_team_bound_token_narrows_an_all_teams_role(client_for, sre_user, team_b, endpoints):
    client = client_for(sre_user, scopes=["read"], team=team_b)
    assert _names(client.get(URL)) == ["assistant-chat"]


def test_owner_attribution_rules_are_scoped(client_for, owner_user, endpoints):
    response = client_for(owner_user).get("/api/v1/catalog/attribution-rules/")
    assert [r["endpoint"] for r in response.json()["results"]] == ["search-rerank"]


def test_admin_creates_endpoint_with_validated_fields(client_for, admin_user, team_a):
    body = {
        "name": "ranker-v2",
        "team": "search",
        "model_family": "bert",
        "parameter_count": 340_000_000,
        "precision": "fp16",
        "accelerator_type": "L4",
        "accelerator_count": 1,
        "instance_type": "g6.xlarge",
        "provider": "aws",
        "region": "us-east-1",
        "pricing_category": "spot",
        "lanes": ["batch", "batch", "nearline"],
    }
    response = client_for(admin_user).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    endpoint = ModelEndpoint.objects.get(name="ranker-v2")
    assert endpoint.team == team_a
    assert endpoint.lanes == ["batch", "nearline"]


def test_invalid_precision_and_lane_are_named_in_the_error(client_for, admin_user, team_a):
    body = {
        "name": "bad",
        "team": "search",
        "model_family": "x",
        "parameter_count": 1,
        "precision": "fp12",
        "accelerator_type": "L4",
        "provider": "aws",
        "region": "us-east-1",
        "lanes": ["express"],
    }
    response = client_for(admin_user).post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"precision", "lanes"}
    assert not ModelEndpoint.objects.filter(name="bad").exists()


@pytest.mark.parametrize("role_fixture", ["finance_user", "sre_user", "owner_user"])
def test_only_admins_change_endpoints(request, client_for, endpoints, role_fixture):
    user = request.getfixturevalue(role_fixture)
    response = client_for(user).patch(
        f"{URL}search-rerank/", {"region": "eu-west-1"}, format="json"
    )
    assert response.status_code == 403
    assert ModelEndpoint.objects.get(name="search-rerank").region == "us-east-1"


def test_endpoint_list_query_count_does_not_grow_with_rows(
    client_for, finance_user, team_a, django_assert_max_num_queries
):
    for i in range(30):
        endpoint = ModelEndpointFactory(name=f"ep-{i:02d}", team=team_a)
        AttributionRuleFactory(endpoint=endpoint)
    client = client_for(finance_user)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.json()["count"] == 30


def test_filter_by_team_and_lane(client_for, finance_user, endpoints):
    client = client_for(finance_user)
    assert _names(client.get(URL, {"team": "SEARCH"})) == ["search-rerank"]
    assert _names(client.get(URL, {"lane": "batch"})) == ["search-rerank"]


def test_anonymous_requests_are_refused(api_client, endpoints):
    assert api_client.get(URL).status_code in (401, 403)
