import pytest

pytestmark = pytest.mark.django_db


def test_home_redirects_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_owner_signs_in_and_sees_only_their_teams_endpoints(client, owner_user, team_b):
    from apps.catalog.tests.factories import ModelEndpointFactory

    ModelEndpointFactory(name="mine", team=owner_user.teams.get())
    ModelEndpointFactory(name="theirs", team=team_b)
    response = client.post("/login/", {"username": "olive", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "mine" in page
    assert "theirs" not in page


def test_wrong_password_shows_an_error(client, owner_user):
    response = client.post("/login/", {"username": "olive", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
