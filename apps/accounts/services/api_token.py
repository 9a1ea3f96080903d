"""Issue and revoke API tokens."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import ROLE_SCOPES, Scope
from apps.accounts.models import ApiToken, Team, User
from apps.accounts.tokens import token_generate
from apps.common.errors import ValidationFailed


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    scopes: list[str],
    team: Team | None = None,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret string, which is never stored or shown again.

    Scopes must be known and within the user's role; a team binding must be a team the user may
    see (owners: a team they belong to).
    """
    requested = list(dict.fromkeys(scopes))
    if not requested:
        raise ValidationFailed("A token needs at least one scope.")
    unknown = [s for s in requested if s not in Scope.values]
    if unknown:
        raise ValidationFailed(
            f"Unknown scope(s) {', '.join(unknown)}; valid: {', '.join(Scope.values)}."
        )
    allowed = ROLE_SCOPES["admin"] if user.is_superuser else ROLE_SCOPES.get(user.role, frozenset())
    beyond = [s for s in requested if s not in allowed]
    if beyond:
        raise ValidationFailed(
            f"Role {user.role!r} of {user.username!r} cannot hold scope(s) {', '.join(beyond)}."
        )
    if (
        team is not None
        and user.role == "owner"
        and not user.is_superuser
        and not team.members.filter(pk=user.pk).exists()
    ):
        raise ValidationFailed(f"{user.username!r} is not a member of team {team.name!r}.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("expires_at must be in the future.")
    secret, prefix, key_hash = token_generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        scopes=requested,
        team=team,
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token. Revoking twice is a no-op that keeps the first revocation time."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = now or timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked
