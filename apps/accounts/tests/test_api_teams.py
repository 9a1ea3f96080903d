import pytest

from apps.accounts.models import Team

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/teams/"


def _names(response):
    assert response.status_code == 200, response.content
    return [t["name"] for t in response.json()["results"]]


@pytest.mark.parametrize("role_fixture", ["admin_user", "finance_user", "sre_user"])
def test_all_teams_roles_list_every_team(request, client_for, team_a, team_b, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert _names(client_for(user).get(URL)) == ["assistant", "search"]


def test_owner_lists_only_their_teams(client_for, owner_user, team_b):
    assert _names(client_for(owner_user).get(URL)) == ["search"]
    assert client_for(owner_user).get(f"{URL}{team_b.pk}/").status_code == 404


def test_owner_cannot_create_or_change_teams(client_for, owner_user, team_a):
    client = client_for(owner_user)
    assert client.post(URL, {"name": "rogue"}, format="json").status_code == 403
    assert (
        client.patch(f"{URL}{team_a.pk}/", {"cost_center": "X"}, format="json").status_code == 403
    )
    assert Team.objects.get(pk=team_a.pk).cost_center == "CC-100"


def test_admin_creates_team_and_adds_member_idempotently(client_for, admin_user, owner_b_user):
    client = client_for(admin_user)
    created = client.post(
        URL,
        {
            "name": "vision",
            "cost_center": "CC-300",
            "contact_email": "v@example.com",
            "timezone": "Europe/Berlin",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    for _ in range(2):
        response = client.post(f"{URL}{team_id}/members/", {"username": "otto"}, format="json")
        assert response.status_code == 200
    assert response.json()["member_usernames"] == ["otto"]
    removed = client.delete(f"{URL}{team_id}/members/otto/")
    assert removed.status_code == 204
    assert not Team.objects.get(pk=team_id).members.exists()


def test_invalid_time_zone_is_rejected(client_for, admin_user):
    response = client_for(admin_user).post(
        URL, {"name": "tz", "timezone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    assert "timezone" in response.json()


def test_team_names_are_unique_ignoring_case(client_for, admin_user, team_a):
    response = client_for(admin_user).post(URL, {"name": "SEARCH"}, format="json")
    assert response.status_code == 400


def test_me_reports_role_scopes_and_visibility(client_for, owner_user, finance_user):
    me = client_for(owner_user).get("/api/v1/accounts/me/").json()
    assert me == {
        "username": "olive",
        "role": "owner",
        "scopes": ["ingest:telemetry", "read"],
        "teams": ["search"],
        "sees_all_teams": False,
    }
    assert client_for(finance_user).get("/api/v1/accounts/me/").json()["sees_all_teams"] is True


def test_token_scopes_are_capped_by_the_role_even_if_role_changes_later(client_for, finance_user):
    client = client_for(finance_user, scopes=["read", "ingest:billing"])
    finance_user.role = "sre"
    finance_user.save()
    assert client.get("/api/v1/accounts/me/").json()["scopes"] == ["read"]


def test_inactive_users_token_stops_working(client_for, sre_user):
    client = client_for(sre_user, scopes=["read"])
    sre_user.is_active = False
    sre_user.save()
    assert client.get("/api/v1/accounts/me/").status_code == 401
