"""Reads of accounts data for other apps and the API."""

from django.db.models import QuerySet

from apps.accounts.access import Access
from apps.accounts.models import ApiToken, Team


def team_list(*, access: Access) -> QuerySet[Team]:
    teams = Team.objects.all().order_by("name")
    if access.team_ids is not None:
        teams = teams.filter(id__in=access.team_ids)
    return teams


def api_token_list(*, access: Access) -> QuerySet[ApiToken]:
    """Admins see every token; everyone else only their own."""
    tokens = ApiToken.objects.select_related("user", "team").order_by("-created_at")
    if not access.has_scope("admin"):
        tokens = tokens.filter(user_id=access.user.pk)
    return tokens
