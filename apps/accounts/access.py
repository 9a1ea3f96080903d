"""Who may see and do what: one object computed per request, used by every API and page."""

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.choices import ALL_TEAMS_ROLES, ROLE_SCOPES
from apps.accounts.models import ApiToken, User


@dataclass(frozen=True)
class Access:
    """The effective rights of a request.

    ``team_ids`` is ``None`` when every team is visible, else the exact set of visible teams.
    """

    user: User
    scopes: frozenset[str]
    team_ids: frozenset[int] | None
    token: ApiToken | None = None

    @property
    def sees_all_teams(self) -> bool:
        return self.team_ids is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def sees_team(self, team_id: int | None) -> bool:
        if self.team_ids is None:
            return True
        return team_id is not None and team_id in self.team_ids

    def filter_teams(self, queryset: QuerySet, field: str = "team_id") -> QuerySet:
        """Narrow any queryset with a team foreign key to the visible teams."""
        if self.team_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.team_ids})


def access_for(user: User, token: ApiToken | None = None) -> Access:
    if not user.is_authenticated or not user.is_active:
        return Access(user=user, scopes=frozenset(), team_ids=frozenset(), token=token)
    role_scopes = ROLE_SCOPES.get(user.role, frozenset())
    if user.is_superuser:
        role_scopes = ROLE_SCOPES["admin"]
    if user.is_superuser or user.role in ALL_TEAMS_ROLES:
        team_ids: frozenset[int] | None = None
    else:
        team_ids = frozenset(user.teams.values_list("id", flat=True))
    scopes = role_scopes
    if token is not None:
        scopes = role_scopes & frozenset(token.scopes)
        if token.team_id is not None:
            team_ids = (
                frozenset({token.team_id})
                if team_ids is None or token.team_id in team_ids
                else frozenset()
            )
    return Access(user=user, scopes=scopes, team_ids=team_ids, token=token)


def access_for_request(request: object) -> Access:
    """The Access of a DRF or Django request (cached on the request)."""
    cached = getattr(request, "_costgov_access", None)
    if cached is not None:
        return cached
    auth = getattr(request, "auth", None)
    token = auth if isinstance(auth, ApiToken) else None
    access = access_for(request.user, token)
    request._costgov_access = access  # noqa: SLF001 - per-request cache
    return access


def system_access() -> Access:
    """The rights of costgov's own jobs (weekly reports, budget alerts, refreshes): read every
    team. Never handed to a request; ``user`` is None."""
    return Access(user=None, scopes=frozenset({"read"}), team_ids=None)
