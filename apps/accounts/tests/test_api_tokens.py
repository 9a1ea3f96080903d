import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.authentication import token_with_user
from apps.accounts.models import ApiToken
from apps.accounts.services.api_token import api_token_issue, api_token_revoke
from apps.accounts.tokens import token_hash
from apps.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_issued_token_is_stored_only_as_a_hash(finance_user):
    token, secret = api_token_issue(user=finance_user, scopes=["read"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == token_hash(secret)
    assert secret.startswith(f"cg_{stored.prefix}_")


def test_token_authenticates_api_requests(api_client, finance_user):
    _, secret = api_token_issue(user=finance_user, scopes=["read"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api_client.get("/api/v1/accounts/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "fin"
    assert response.json()["scopes"] == ["read"]


def test_wrong_secret_with_valid_prefix_is_rejected(api_client, finance_user):
    _, secret = api_token_issue(user=finance_user, scopes=["read"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret[:-2]}xx")
    assert api_client.get("/api/v1/accounts/me/").status_code == 401


def test_revoked_token_is_rejected_and_revoking_twice_keeps_first_time(api_client, sre_user):
    token, secret = api_token_issue(user=sre_user, scopes=["read"])
    first = api_token_revoke(token=token)
    second = api_token_revoke(token=token)
    assert first.revoked_at == second.revoked_at
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api_client.get("/api/v1/accounts/me/").status_code == 401


def test_scope_beyond_role_is_refused(owner_user):
    with pytest.raises(ValidationFailed, match="cannot hold scope"):
        api_token_issue(user=owner_user, scopes=["admin"])


def test_owner_cannot_bind_token_to_a_team_they_are_not_in(owner_user, team_b):
    with pytest.raises(ValidationFailed, match="not a member"):
        api_token_issue(user=owner_user, scopes=["read"], team=team_b)


def test_read_token_cannot_write(client_for, admin_user):
    client = client_for(admin_user, scopes=["read"])
    response = client.post("/api/v1/accounts/teams/", {"name": "new"}, format="json")
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_issue_token_command_prints_only_the_token(capsys, sre_user, team_a):
    call_command(
        "issue_token", "sam", "--scope", "read", "--scope", "ingest:telemetry", "--team", "search"
    )
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 1
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(lines[0])
    assert sorted(token.scopes) == ["ingest:telemetry", "read"]
    assert token.team == team_a


def test_issue_token_command_fails_clearly_for_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("issue_token", "ghost", "--scope", "read")


def test_token_api_returns_secret_once_and_lists_without_it(client_for, owner_user, team_a):
    client = client_for(owner_user)
    created = client.post(
        "/api/v1/accounts/tokens/",
        {"scopes": ["read", "ingest:telemetry"], "team": "search", "name": "collector"},
        format="json",
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/v1/accounts/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["collector"]
    assert "token" not in listed[0]
    token_client = client_for(owner_user, scopes=None)
    token_client.logout()
    token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert token_client.get("/api/v1/accounts/me/").json()["teams"] == ["search"]


def _field_values(instance: object) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_token_lookup_loads_what_the_orm_loads(owner_user, team_a):
    token, _ = api_token_issue(user=owner_user, scopes=["read", "ingest:telemetry"], team=team_a)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    with CaptureQueriesContext(connection) as queries:
        found = token_with_user(token.prefix)
        assert _field_values(found) == _field_values(expected)
        assert _field_values(found.user) == _field_values(expected.user)
        assert found.user.role == owner_user.role
    assert len(queries) == 1  # the user came with the token
    assert not found._state.adding  # noqa: SLF001 - loaded, so saving it updates the row
    assert token_with_user("nosuchprefix") is None
