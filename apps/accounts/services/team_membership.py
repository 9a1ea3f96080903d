"""Add people to teams and remove them."""

from django.db import transaction

from apps.accounts.models import Team, TeamMembership, User


@transaction.atomic
def team_member_add(*, team: Team, user: User) -> TeamMembership:
    """Idempotent: adding an existing member returns the existing membership."""
    membership, _ = TeamMembership.objects.get_or_create(team=team, user=user)
    return membership


@transaction.atomic
def team_member_remove(*, team: Team, user: User) -> bool:
    """Return whether a membership was removed."""
    deleted, _ = TeamMembership.objects.filter(team=team, user=user).delete()
    return deleted > 0
